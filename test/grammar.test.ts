// Tokenizes pg_hba.conf lines with the TextMate engine VS Code uses and checks the scopes.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import * as oniguruma from 'vscode-oniguruma';
import * as textmate from 'vscode-textmate';

const grammarPath = fileURLToPath(new URL('../syntaxes/pg-hba.tmLanguage.json', import.meta.url));

let grammar: textmate.IGrammar;

before(async () => {
  const wasm = await readFile(createRequire(import.meta.url).resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM({ data: wasm });
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) =>
      scopeName === 'source.pg-hba' ? textmate.parseRawGrammar(await readFile(grammarPath, 'utf8'), grammarPath) : null,
  });
  const loaded = await registry.loadGrammar('source.pg-hba');
  assert.ok(loaded, 'grammar loads');
  grammar = loaded;
});

interface Token {
  line: number;
  text: string;
  scopes: string[];
}

/** Tokenizes lines in sequence, carrying the rule stack across them as the editor does. */
function tokenize(...lines: string[]): Token[] {
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
