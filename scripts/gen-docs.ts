// Regenerates docs/rules/, the .pg-hardening.json schema and the snippet files from the rule and template modules. `--check` fails when the files are out of date (tests run it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { RULES } from '../server/src/rules';
import { renderRuleDoc, renderRuleIndex } from '../server/src/rules/docs';
import { DEFAULT_MIGRATION_GLOBS, DEFAULT_TENANT_COLUMNS } from '../server/src/engine/config';
import { DEFAULT_MAX_FILE_BYTES } from '../server/src/engine/node-fs';
import { SUPPORTED_PG_VERSIONS } from '../server/src/engine/types';
import { snippetFiles } from '../server/src/templates';

export function expectedDocs(): Map<string, string> {
  const dir = path.join(__dirname, '..', 'docs', 'rules');
  const files = new Map<string, string>();
  for (const r of RULES) files.set(path.join(dir, `${r.id}.md`), renderRuleDoc(r));
  files.set(path.join(dir, 'README.md'), renderRuleIndex(RULES));
  files.set(path.join(__dirname, '..', 'schemas', 'pg-hardening.schema.json'), JSON.stringify(projectSchema(), null, 2) + '\n');
  for (const [language, snippets] of snippetFiles()) files.set(path.join(__dirname, '..', 'snippets', `${language}.json`), JSON.stringify(snippets, null, 2) + '\n');
  return files;
}

/** The JSON schema VS Code uses to validate and complete .pg-hardening.json (the server validates the same way). */
function projectSchema() {
  const severity = { enum: ['error', 'warning', 'information', 'hint', 'off'] };
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'pg-hardening project settings',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string' },
      postgresVersion: { description: 'Major version of the PostgreSQL server the files are for.', enum: [...SUPPORTED_PG_VERSIONS] },
      rules: {
        description: 'Severity per rule id, or off.',
        type: 'object',
        additionalProperties: false,
        properties: Object.fromEntries(RULES.map((r) => [r.id, { ...severity, description: `${r.docs.summary} (default: ${r.severity})` }])),
      },
      migrations: {
        type: 'object',
        additionalProperties: false,
        properties: {
          globs: {
            description: `Globs relative to this file's folder that pick migration files; each folder a glob's wildcards hang from is one history. Default: ${DEFAULT_MIGRATION_GLOBS.join(', ')}`,
            type: 'array',
            items: { type: 'string', minLength: 1 },
          },
        },
      },
      tenantColumns: {
        description: `Columns that mark a multi-tenant table. Default: ${DEFAULT_TENANT_COLUMNS.join(', ')}`,
        type: 'array',
        items: { type: 'string', minLength: 1 },
      },
      maxFileSize: {
        description: `Files larger than this many bytes are neither read nor checked. Default: ${DEFAULT_MAX_FILE_BYTES}`,
        type: 'integer',
        minimum: 1024,
      },
    },
  };
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of expectedDocs()) {
    const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
    if (current === text) continue;
    stale++;
    if (check) console.error(`out of date: ${path.relative(process.cwd(), file)}`);
    else {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, text);
    }
  }
  if (check && stale) process.exit(1);
  console.log(check ? 'docs are up to date' : `wrote ${stale} file(s)`);
}
