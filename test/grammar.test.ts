// Tokenizes pg_hba.conf, pg_ident.conf and postgresql.conf lines with the TextMate engine VS Code uses and checks
// the scopes; checks that package.json contributes each grammar and language configuration as they are on disk.
// The comment-annotated grammar tests in test/grammar/ are run by grammar-files.test.ts.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const grammarPaths: Record<string, string> = {
  'source.pg-hba': fileURLToPath(new URL('../syntaxes/pg-hba.tmLanguage.json', import.meta.url)),
  'source.pg-conf': fileURLToPath(new URL('../syntaxes/pg-conf.tmLanguage.json', import.meta.url)),
  'source.pg-ident': fileURLToPath(new URL('../syntaxes/pg-ident.tmLanguage.json', import.meta.url)),
};
const ROOT = fileURLToPath(new URL('..', import.meta.url));

let hbaGrammar: textmate.IGrammar;
let confGrammar: textmate.IGrammar;
let identGrammar: textmate.IGrammar;

before(async () => {
  const wasm = await readFile(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM({ data: wasm });
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      const path = grammarPaths[scopeName];
      return path ? textmate.parseRawGrammar(await readFile(path, 'utf8'), path) : null;
    },
  });
  const hba = await registry.loadGrammar('source.pg-hba');
  assert.ok(hba, 'pg-hba grammar loads');
  hbaGrammar = hba;
  const conf = await registry.loadGrammar('source.pg-conf');
  assert.ok(conf, 'pg-conf grammar loads');
  confGrammar = conf;
  const ident = await registry.loadGrammar('source.pg-ident');
  assert.ok(ident, 'pg-ident grammar loads');
  identGrammar = ident;
});

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

/** Tokenizes lines in sequence, carrying the rule stack across them as the editor does. */
function tokenizeWith(grammar: textmate.IGrammar, lines: string[]): Token[] {
  const out: Token[] = [];
  let stack = textmate.INITIAL;
  lines.forEach((text, line) => {
    const result = grammar.tokenizeLine(text, stack);
    for (const t of result.tokens) {
      out.push({ line, text: text.slice(t.startIndex, t.endIndex), scopes: t.scopes });
    }
    stack = result.ruleStack;
  });
  return out;
}

/** pg_hba.conf lines. */
const tokenize = (...lines: string[]): Token[] => tokenizeWith(hbaGrammar, lines);
/** postgresql.conf lines. */
const tokenizeConf = (...lines: string[]): Token[] => tokenizeWith(confGrammar, lines);
/** pg_ident.conf lines. */
const tokenizeIdent = (...lines: string[]): Token[] => tokenizeWith(identGrammar, lines);

/** The innermost scope of the token with this exact text (the nth one, if it recurs). */
function scopeOf(tokens: Token[], text: string, nth = 0): string {
  const found = tokens.filter((t) => t.text === text)[nth];
  assert.ok(found, `no token ${JSON.stringify(text)} in ${JSON.stringify(tokens.map((t) => t.text))}`);
  return found.scopes[found.scopes.length - 1];
}

describe('pg-hba grammar', () => {
  it('scopes the connection type, keywords, address with CIDR and method', () => {
    const tokens = tokenize('hostssl all  all  10.0.0.0/8  scram-sha-256');
    assert.equal(scopeOf(tokens, 'hostssl'), 'keyword.control.connection-type.pg-hba');
    assert.equal(scopeOf(tokens, 'all', 0), 'constant.language.pg-hba');
    assert.equal(scopeOf(tokens, 'all', 1), 'constant.language.pg-hba');
    assert.equal(scopeOf(tokens, '10.0.0.0'), 'constant.numeric.ip-address.ipv4.pg-hba');
    assert.equal(scopeOf(tokens, '/'), 'punctuation.separator.cidr.pg-hba');
    assert.equal(scopeOf(tokens, '8'), 'constant.numeric.cidr-prefix.pg-hba');
    assert.equal(scopeOf(tokens, 'scram-sha-256'), 'support.function.auth-method.pg-hba');
  });

  it('scopes IPv6 addresses', () => {
    const tokens = tokenize('host all all ::1/128 md5', 'host all all fe80::/10 reject');
    assert.equal(scopeOf(tokens, '::1'), 'constant.numeric.ip-address.ipv6.pg-hba');
    assert.equal(scopeOf(tokens, '128'), 'constant.numeric.cidr-prefix.pg-hba');
    assert.equal(scopeOf(tokens, 'fe80::'), 'constant.numeric.ip-address.ipv6.pg-hba');
  });

  it('marks trust and password as insecure, only in the method position', () => {
    const tokens = tokenize('local all all trust', 'host trust all 0.0.0.0/0 password # cleartext');
    assert.equal(scopeOf(tokens, 'trust', 0), 'invalid.deprecated.auth-method.insecure.pg-hba');
    assert.equal(scopeOf(tokens, 'password'), 'invalid.deprecated.auth-method.insecure.pg-hba');
    // A database named trust is not a method.
    const database = tokens.find((t) => t.line === 1 && t.text.includes('trust'));
    assert.ok(database && !database.scopes.some((s) => s.startsWith('invalid')));
  });

  it('keeps # inside double quotes out of the comment', () => {
    const tokens = tokenize('host "db#1" all 127.0.0.1/32 md5 # a comment');
    const quoted = tokens.find((t) => t.text === 'db#1');
    assert.ok(quoted);
    assert.ok(quoted.scopes.includes('string.quoted.double.pg-hba'));
    assert.ok(!quoted.scopes.some((s) => s.startsWith('comment')));
    assert.equal(scopeOf(tokens, 'md5'), 'support.function.auth-method.pg-hba');
    assert.equal(scopeOf(tokens, ' a comment'), 'comment.line.number-sign.pg-hba');
  });

  it('scopes comments', () => {
    const tokens = tokenize('# TYPE  DATABASE  USER  ADDRESS  METHOD');
    assert.equal(scopeOf(tokens, '#'), 'punctuation.definition.comment.pg-hba');
    assert.ok(tokens.every((t) => t.scopes.includes('comment.line.number-sign.pg-hba')));
  });

  it('scopes options, quoted option values, +groups, @files and regexes', () => {
    const tokens = tokenize(
      'hostssl /^app_.*$ +admins,@extra_users 0.0.0.0/0 ldap ldapserver=ldap.example.com ldapprefix="cn=" ldapsuffix=", dc=example"',
    );
    assert.equal(scopeOf(tokens, 'ldap'), 'support.function.auth-method.pg-hba');
    assert.equal(scopeOf(tokens, 'ldapserver'), 'variable.parameter.option.pg-hba');
    assert.equal(scopeOf(tokens, '=', 0), 'keyword.operator.assignment.pg-hba');
    assert.equal(scopeOf(tokens, 'ldap.example.com'), 'string.unquoted.option-value.pg-hba');
    assert.equal(scopeOf(tokens, 'cn='), 'string.quoted.double.pg-hba');
    assert.equal(scopeOf(tokens, ', dc=example'), 'string.quoted.double.pg-hba');
    assert.equal(scopeOf(tokens, '/^app_.*$'), 'string.regexp.pg-hba');
    assert.equal(scopeOf(tokens, '+'), 'keyword.operator.group-membership.pg-hba');
    assert.equal(scopeOf(tokens, 'admins'), 'entity.name.type.group.pg-hba');
    assert.equal(scopeOf(tokens, '@'), 'keyword.operator.file-inclusion.pg-hba');
    assert.equal(scopeOf(tokens, 'extra_users'), 'string.unquoted.path.pg-hba');
  });

  it('scopes include directives', () => {
    const tokens = tokenize('include_dir conf.d/hba # more', 'include_if_exists "/etc/pg hba/extra.conf"');
    assert.equal(scopeOf(tokens, 'include_dir'), 'keyword.control.import.pg-hba');
    assert.equal(scopeOf(tokens, 'conf.d/hba'), 'string.unquoted.path.pg-hba');
    assert.equal(scopeOf(tokens, 'include_if_exists'), 'keyword.control.import.pg-hba');
    assert.equal(scopeOf(tokens, '/etc/pg hba/extra.conf'), 'string.quoted.double.pg-hba');
  });

  it('follows backslash continuation, including out of a comment', () => {
    const tokens = tokenize('host all all \\', '  0.0.0.0/0 trust', '# disabled: \\', 'host all all ::/0 trust');
    assert.equal(scopeOf(tokens, '\\', 0), 'constant.character.escape.line-continuation.pg-hba');
    // The continued record keeps its fields.
    assert.equal(scopeOf(tokens, '0.0.0.0'), 'constant.numeric.ip-address.ipv4.pg-hba');
    assert.equal(scopeOf(tokens, 'trust', 0), 'invalid.deprecated.auth-method.insecure.pg-hba');
    // PostgreSQL joins lines before stripping comments: the line after "# ... \" is a comment too.
    const last = tokens.filter((t) => t.line === 3);
    assert.ok(last.length > 0 && last.every((t) => t.scopes.includes('comment.line.number-sign.pg-hba')));
  });
});

describe('pg-conf grammar', () => {
  it('scopes the parameter name, =, and a number with a unit', () => {
    const tokens = tokenizeConf(
      'shared_buffers = 128MB',
      'Work_Mem 0x1F',
      'statement_timeout=-1',
      'seq_page_cost = 1.5e3',
    );
    assert.equal(scopeOf(tokens, 'shared_buffers'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, '='), 'keyword.operator.assignment.pg-conf');
    assert.equal(scopeOf(tokens, '128'), 'constant.numeric.integer.pg-conf');
    assert.equal(scopeOf(tokens, 'MB'), 'keyword.other.unit.pg-conf');
    assert.ok(tokens.find((t) => t.text === 'MB')?.scopes.includes('meta.setting.pg-conf'));
    // The = is optional and names are case-insensitive.
    assert.equal(scopeOf(tokens, 'Work_Mem'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, '0x1F'), 'constant.numeric.integer.pg-conf');
    assert.equal(scopeOf(tokens, 'statement_timeout'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, '-1'), 'constant.numeric.integer.pg-conf');
    assert.equal(scopeOf(tokens, '1.5e3'), 'constant.numeric.float.pg-conf');
  });

  it('marks what the lexer splits off a number as illegal', () => {
    // guc-file.l: REAL takes no unit and INTEGER no exponent, so both lines are syntax errors.
    const tokens = tokenizeConf('work_mem = 1.5GB', 'work_mem = 1e6');
    assert.equal(scopeOf(tokens, '1.5'), 'constant.numeric.float.pg-conf');
    assert.equal(scopeOf(tokens, 'GB'), 'invalid.illegal.unit.pg-conf');
    assert.equal(scopeOf(tokens, '1'), 'constant.numeric.integer.pg-conf');
    assert.equal(scopeOf(tokens, 'e'), 'keyword.other.unit.pg-conf');
    assert.equal(scopeOf(tokens, '6'), 'invalid.illegal.pg-conf');
  });

  it("scopes quoted strings with '' and backslash escapes, keeping # inside them", () => {
    const tokens = tokenizeConf("log_line_prefix = '%m # [%p] it''s \\'s\\n\\101 ' # trailing");
    const body = tokens.find((t) => t.text === '%m # [%p] it');
    assert.ok(body);
    assert.ok(body.scopes.includes('string.quoted.single.pg-conf'));
    assert.ok(!body.scopes.some((s) => s.startsWith('comment')));
    assert.equal(scopeOf(tokens, "''"), 'constant.character.escape.quote.pg-conf');
    assert.equal(scopeOf(tokens, "\\'"), 'constant.character.escape.pg-conf');
    assert.equal(scopeOf(tokens, '\\n'), 'constant.character.escape.pg-conf');
    assert.equal(scopeOf(tokens, '\\101'), 'constant.character.escape.octal.pg-conf');
    assert.equal(scopeOf(tokens, "'", 0), 'punctuation.definition.string.begin.pg-conf');
    assert.equal(scopeOf(tokens, "'", 1), 'punctuation.definition.string.end.pg-conf');
    assert.equal(scopeOf(tokens, ' trailing'), 'comment.line.number-sign.pg-conf');
  });

  it('marks an unterminated quote as illegal to the end of the line, and only that line', () => {
    const tokens = tokenizeConf("search_path = 'public # oops", "ssl = 'it\\'", 'port = 5432');
    assert.equal(scopeOf(tokens, "'public # oops"), 'invalid.illegal.unterminated-string.pg-conf');
    assert.equal(scopeOf(tokens, "'it\\'"), 'invalid.illegal.unterminated-string.pg-conf');
    assert.equal(scopeOf(tokens, 'port'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, '5432'), 'constant.numeric.integer.pg-conf');
  });

  it('scopes comments', () => {
    const tokens = tokenizeConf('#shared_buffers = 128MB  # min 128kB', '  # indented');
    assert.equal(scopeOf(tokens, '#'), 'punctuation.definition.comment.pg-conf');
    assert.ok(tokens.every((t) => t.scopes.includes('comment.line.number-sign.pg-conf') || t.text.trim() === ''));
  });

  it('scopes include directives, case-insensitively', () => {
    const tokens = tokenizeConf(
      "include 'extra.conf'",
      "INCLUDE_IF_EXISTS = 'conf.d/local.conf' # optional",
      "include_dir 'conf.d'",
      'include_files = 3',
    );
    assert.equal(scopeOf(tokens, 'include'), 'keyword.control.import.pg-conf');
    assert.equal(scopeOf(tokens, 'extra.conf'), 'string.quoted.single.pg-conf');
    assert.equal(scopeOf(tokens, 'INCLUDE_IF_EXISTS'), 'keyword.control.import.pg-conf');
    assert.equal(scopeOf(tokens, '='), 'keyword.operator.assignment.pg-conf');
    assert.equal(scopeOf(tokens, 'conf.d/local.conf'), 'string.quoted.single.pg-conf');
    assert.equal(scopeOf(tokens, ' optional'), 'comment.line.number-sign.pg-conf');
    assert.equal(scopeOf(tokens, 'include_dir'), 'keyword.control.import.pg-conf');
    // Only the exact directive names are directives.
    assert.equal(scopeOf(tokens, 'include_files'), 'variable.other.property.pg-conf');
  });

  it('scopes dotted (extension) parameter names', () => {
    const tokens = tokenizeConf("pgaudit.log = 'ddl, role'", 'auto_explain.log_min_duration 250ms');
    assert.equal(scopeOf(tokens, 'pgaudit'), 'entity.name.namespace.pg-conf');
    assert.equal(scopeOf(tokens, '.'), 'punctuation.separator.namespace.pg-conf');
    assert.equal(scopeOf(tokens, 'log'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, 'ddl, role'), 'string.quoted.single.pg-conf');
    assert.equal(scopeOf(tokens, 'auto_explain'), 'entity.name.namespace.pg-conf');
    assert.equal(scopeOf(tokens, 'log_min_duration'), 'variable.other.property.pg-conf');
    assert.equal(scopeOf(tokens, 'ms'), 'keyword.other.unit.pg-conf');
  });

  it('scopes booleans, but not words that merely start with one', () => {
    const tokens = tokenizeConf(
      'ssl = on',
      'fsync OFF',
      'log_connections = True',
      'wal_level = replica',
      'ssl_ciphers = one-two',
    );
    assert.equal(scopeOf(tokens, 'on'), 'constant.language.boolean.pg-conf');
    assert.equal(scopeOf(tokens, 'OFF'), 'constant.language.boolean.pg-conf');
    assert.equal(scopeOf(tokens, 'True'), 'constant.language.boolean.pg-conf');
    assert.equal(scopeOf(tokens, 'replica'), 'string.unquoted.pg-conf');
    assert.equal(scopeOf(tokens, 'one-two'), 'string.unquoted.pg-conf');
  });
});

describe('pg-ident grammar', () => {
  it('scopes the map name, a system-user regex, \\1 and comments', () => {
    const tokens = tokenizeIdent('# MAPNAME SYSTEM-USERNAME PG-USERNAME', 'mymap /^(.*)@example\\.com$ \\1 # mail users');
    assert.equal(scopeOf(tokens, '#'), 'punctuation.definition.comment.pg-ident');
    assert.equal(scopeOf(tokens, 'mymap'), 'entity.name.type.map.pg-ident');
    assert.equal(scopeOf(tokens, '/^(.*)@example\\.com$'), 'string.regexp.pg-ident');
    assert.equal(scopeOf(tokens, '\\1'), 'constant.other.placeholder.backreference.pg-ident');
    assert.equal(scopeOf(tokens, ' mail users'), 'comment.line.number-sign.pg-ident');
  });

  it('scopes all and +group only unquoted and only as the PostgreSQL user, and include lines of two fields', () => {
    const tokens = tokenizeIdent('m all +dba', 'm root "all"', 'include ident.d/x.conf', 'include root postgres');
    assert.equal(scopeOf(tokens, 'all', 0), 'meta.field.system-user.pg-ident');
    assert.equal(scopeOf(tokens, '+'), 'keyword.operator.group-membership.pg-ident');
    assert.equal(scopeOf(tokens, 'dba'), 'entity.name.type.group.pg-ident');
    assert.equal(scopeOf(tokens, 'all', 1), 'string.quoted.double.pg-ident');
    assert.equal(scopeOf(tokens, 'include', 0), 'keyword.control.import.pg-ident');
    assert.equal(scopeOf(tokens, 'ident.d/x.conf'), 'string.unquoted.path.pg-ident');
    assert.equal(scopeOf(tokens, 'include', 1), 'entity.name.type.map.pg-ident');
  });
});

describe('package.json contributions', () => {
  interface Manifest {
    contributes: {
      languages: { id: string; configuration?: string }[];
      grammars: { language?: string; scopeName: string; path: string }[];
    };
  }
  const manifest = (): Manifest => JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as Manifest;
  const LANGUAGES: Record<string, { scopeName: string; quote: string }> = {
    'pg-hba': { scopeName: 'source.pg-hba', quote: '"' },
    'pg-ident': { scopeName: 'source.pg-ident', quote: '"' },
    'pg-conf': { scopeName: 'source.pg-conf', quote: "'" },
  };

  it('contributes each grammar with the scope name its file declares', () => {
    const { grammars } = manifest().contributes;
    for (const [language, { scopeName }] of Object.entries(LANGUAGES)) {
      const grammar = grammars.find((g) => g.language === language);
      assert.ok(grammar, `no grammar for ${language}`);
      assert.equal(grammar.scopeName, scopeName);
      const file = JSON.parse(readFileSync(`${ROOT}/${grammar.path}`, 'utf8')) as { scopeName: string };
      assert.equal(file.scopeName, scopeName, grammar.path);
    }
  });

  it('gives each language a configuration with # comments and its quote auto-closed', () => {
    const { languages } = manifest().contributes;
    for (const [id, { quote }] of Object.entries(LANGUAGES)) {
      const language = languages.find((l) => l.id === id);
      assert.ok(language?.configuration, `no language configuration for ${id}`);
      const config = JSON.parse(readFileSync(`${ROOT}/${language.configuration}`, 'utf8')) as {
        comments: { lineComment: string };
        autoClosingPairs: { open: string; close: string; notIn?: string[] }[];
        surroundingPairs: [string, string][];
      };
      assert.equal(config.comments.lineComment, '#', id);
      const pair = config.autoClosingPairs.find((p) => p.open === quote);
      assert.ok(pair && pair.close === quote && pair.notIn?.includes('comment'), `${id} auto-closes ${quote}`);
      assert.ok(config.surroundingPairs.some(([o, c]) => o === quote && c === quote), `${id} surrounds with ${quote}`);
    }
  });
});
