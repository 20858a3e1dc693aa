// PostgreSQL's own postgresql.conf.sample, every setting uncommented, must be clean for our engine
// and accepted by the server of the same major.
//
// For each major of CONF_MAJORS: take native/share/postgresql/postgresql.conf.sample from that
// major's package, turn every `#name = value` line (a commented-out setting, as the sample writes
// them: no blank after '#') into `name = value`, leaving prose comments alone, and
//   (a) our engine reports no conf-syntax, conf-unknown-parameter or conf-invalid-value on it,
//       except where PostgreSQL itself rejects a line (see KNOWN_REJECTIONS);
//   (b) `postgres -C port` of that major rejects nothing but KNOWN_REJECTIONS, and accepts the
//       file once those lines hold what initdb writes there.
// The include directives of the sample (`#include_dir = '...'`, `#include_if_exists = '...'`,
// `#include = '...'`) are no settings and name placeholder files: they stay commented out.
// The uncommented files are written to .test-tmp/conf-sample-pgNN/postgresql.conf for inspection.
//
// KNOWN_REJECTIONS: from 16 on the sample says `#lc_messages = ''`, and PostgreSQL refuses ''
// for lc_messages from any source but its built-in default (pg_locale.c check_locale_messages:
// "we normally disallow value = \"\" because it wouldn't have consistent semantics"). initdb
// never leaves it so: it writes the cluster's locale there (`lc_messages = 'C'` here).

import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkFile } from '../server/src/engine/check';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { locateBinaries, PgUnavailableError, type PgMajor, type PgServer } from './support/postgres';
import { CONF_MAJORS, parseStderr, startOracle } from './conf-differential/corpus';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const OUT_DIR = path.join(HERE, '..', '.test-tmp');
const COMPARED_RULES = new Set(['conf-syntax', 'conf-unknown-parameter', 'conf-invalid-value']);
const SETTING = /^#([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)?)([ \t]*=[ \t]*\S.*)$/;
const DIRECTIVES = new Set(['include', 'include_dir', 'include_if_exists']);

export interface UncommentedSample {
  text: string;
  /** The parameters uncommented, in file order. */
  settings: string[];
  /** Commented-out include directives left alone. */
  skipped: string[];
}

/** The sample with every commented-out setting uncommented. */
export function uncommentSample(sample: string): UncommentedSample {
  const settings: string[] = [];
  const skipped: string[] = [];
  const lines = sample.split('\n').map((line) => {
    const m = SETTING.exec(line);
    if (!m) return line;
    if (DIRECTIVES.has(m[1]!.toLowerCase())) {
      skipped.push(line);
      return line;
    }
    settings.push(m[1]!);
    return line.slice(1);
  });
  return { text: lines.join('\n'), settings, skipped };
}

/** Sample lines PostgreSQL itself rejects once uncommented, and what initdb writes there instead. */
const KNOWN_REJECTIONS: Array<{ line: RegExp; message: string; initdb: string }> = [
  { line: /^lc_messages = ''/, message: 'invalid value for parameter "lc_messages": ""', initdb: "lc_messages = 'C'" },
];

const servers = new Map<PgMajor, Promise<PgServer | Error>>();
const server = (major: PgMajor) => {
  let p = servers.get(major);
  if (!p) {
    p = startOracle(major).catch((e: unknown) => (e instanceof Error ? e : new Error(String(e))));
    servers.set(major, p);
  }
  return p;
};
after(async () => {
  for (const p of servers.values()) {
    const s = await p;
    if (!(s instanceof Error)) await s.stop();
  }
});

for (const major of CONF_MAJORS) {
  test(`postgresql.conf.sample of PostgreSQL ${major}, every setting uncommented`, { timeout: 120_000 }, async (t) => {
    for (const m of CONF_MAJORS) void server(m); // all majors start at once
    let samplePath: string;
    try {
      samplePath = path.join(locateBinaries(major).native, 'share', 'postgresql', 'postgresql.conf.sample');
    } catch (e) {
      if (e instanceof PgUnavailableError) return t.skip(`PostgreSQL ${major} package unavailable: ${e.message}`);
      throw e;
    }
    const { text, settings, skipped } = uncommentSample(fs.readFileSync(samplePath, 'utf8'));
    const lines = text.split('\n');
    // The known rejections present in this sample: 1-based line, PostgreSQL's message.
    const known = KNOWN_REJECTIONS.flatMap((k) => lines.flatMap((l, i) => (k.line.test(l) ? [{ ...k, lineNo: i + 1 }] : [])));
    const filled = lines.map((l, i) => known.find((k) => k.lineNo === i + 1)?.initdb ?? l).join('\n');
    const write = (name: string, content: string) => {
      const file = path.join(OUT_DIR, name, 'postgresql.conf');
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, content);
      return file;
    };
    const file = write(`conf-sample-pg${major}`, text);
    const filledFile = write(`conf-sample-pg${major}-initdb`, filled);
    t.diagnostic(
      `PostgreSQL ${major}: ${settings.length} settings uncommented (${new Set(settings.map((s) => s.toLowerCase())).size} distinct), ` +
        `${skipped.length} include directives left commented; rejected by PostgreSQL itself: ${known.length ? known.map((k) => `line ${k.lineNo} ${JSON.stringify(lines[k.lineNo - 1]!.split('\t')[0])}`).join(', ') : 'none'}`,
    );
    assert.ok(settings.length > 250, `only ${settings.length} settings found in ${samplePath}`);

    await t.test('our engine reports no syntax, unknown-parameter or invalid-value finding (but what PostgreSQL rejects)', () => {
      const flagged = (f: string, content: string) =>
        checkFile(f, content, 'conf', { pgVersion: major, fs: nodeFileSystem })
          .filter((x) => COMPARED_RULES.has(x.rule))
          .map((x) => `line ${(x.pgLine ?? x.range.start.line) + 1} [${x.rule}] ${x.pgError ?? `(no pgError) ${x.message}`}`);
      const expected = known.map((k) => `line ${k.lineNo} [conf-invalid-value] ${k.message}`);
      assert.deepEqual(flagged(file, text), expected, `our engine on PostgreSQL ${major}'s own sample (${path.relative(process.cwd(), file)})`);
      assert.deepEqual(flagged(filledFile, filled), [], `our engine on the sample as initdb fills it (${path.relative(process.cwd(), filledFile)})`);
    });

    await t.test(`PostgreSQL ${major} rejects only the known lines and accepts the rest`, async (st) => {
      const s = await server(major);
      if (s instanceof PgUnavailableError) return st.skip(`PostgreSQL ${major} cannot start here: ${s.message.split('\n')[0]}`);
      if (s instanceof Error) throw s;
      const r = await s.checkConf({ 'postgresql.conf': text }, 'port');
      const errors = parseStderr(r.stderr)
        .filter((e) => e.level === 'LOG' && !e.text.startsWith('skipping missing configuration file'))
        .map((e) => e.text);
      assert.deepEqual(errors, known.map((k) => k.message), `PostgreSQL ${major} on its own sample, every setting uncommented:\n${r.messages.join('\n')}`);
      assert.equal(r.ok, known.length === 0);
      const r2 = await s.checkConf({ 'postgresql.conf': filled }, 'port');
      assert.ok(r2.ok, `PostgreSQL ${major} rejects its own sample as initdb fills it:\n${r2.messages.join('\n')}`);
    });
  });
}
