// While a migration is edited, rules the edit cannot affect keep their previous findings, moved with
// the text (server/src/engine/sql/carry-over.ts). That must never show: after every edit of a
// series, the check of the edited file equals a fresh check of the same text. Also checked: each
// rule's `reads` holds, i.e. statements of other types can be blanked out without changing its
// findings; and the carrying over does happen (a literal edited in an INSERT runs no model rule).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { INTERNAL_ERROR_RULE, checkFile } from '../server/src/engine/check';
import { initEngine } from '../server/src/engine/init';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { analyzeSql, forgetEdited } from '../server/src/engine/sql';
import { footprint } from '../server/src/engine/sql/carry-over';
import { RULES } from '../server/src/rules';
import type { Report, SqlRule } from '../server/src/rules/rule';
import { buildModel, type Origin, type SchemaModel } from '../server/src/engine/sql/model';
import { buildModelIncrementally, type ModelBuild } from '../server/src/engine/sql/incremental-model';
import { DEFAULT_CONFIG } from '../server/src/engine/config';
import type { CheckOptions, Finding } from '../server/src/engine/types';
import { listFiles } from './support/expectations';
import { replayPolicies, type PolicyState } from '../server/src/rules/sql-helpers';

const LONG = process.env.PG_HARDEN_FUZZ === 'long';
const ROOT = path.join(__dirname, '..');
const OPTS: CheckOptions = { pgVersion: 17, fs: nodeFileSystem };
const SQL_RULES = RULES.filter((r): r is SqlRule => r.kind === 'sql');

before(() => initEngine());

/** Every SQL file of the fixtures and examples, and every rule's bad and good example. */
function inputs(): { file: string; text: string }[] {
  const files = listFiles(path.join(ROOT, 'test', 'fixtures', 'sql'))
    .concat(listFiles(path.join(ROOT, 'examples')))
    .filter((f) => f.endsWith('.sql'))
    .map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
  const docs = SQL_RULES.flatMap((r) => [r.docs.bad, r.docs.good].map((text, i) => ({ file: path.join('/nonexistent', `${r.id}-${i ? 'good' : 'bad'}.sql`), text })));
  return files.concat(docs);
}

// Pieces that change statements' types, make and mend syntax errors, and move lines and offsets.
const PIECES = ['1', 'x', ' ', '\n', ';', "'", '(', ')', '$$', '--', 'é', 'GRANT ALL ON t TO PUBLIC;', 'CREATE TABLE t (a int);', 'ALTER TABLE t ENABLE ROW LEVEL SECURITY;', 'SET ROLE admin;', 'FORCE'];

/** An insertion or removal, or a same-length change: a line break moved (Move Line, re-indenting). */
type Edit = { at: number; remove: number; insert: string } | { at: number; swapLines: true };
const editOf = (length: number): fc.Arbitrary<Edit> =>
  fc.oneof(
    { weight: 3, arbitrary: fc.record({ at: fc.nat({ max: length }), remove: fc.nat({ max: 8 }), insert: fc.constantFrom(...PIECES) }) },
    { weight: 1, arbitrary: fc.record({ at: fc.nat({ max: length }), swapLines: fc.constant(true as const) }) },
  );

function edited(text: string, e: Edit): string {
  const at = Math.min(e.at, text.length);
  if (!('swapLines' in e)) return text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + e.remove));
  // The line at `at` and the next one change places: same length, line breaks elsewhere.
  const start = text.lastIndexOf('\n', at - 1) + 1;
  const mid = text.indexOf('\n', at);
  const end = mid < 0 ? -1 : text.indexOf('\n', mid + 1);
  if (mid < 0 || end < 0) return text;
  return text.slice(0, start) + text.slice(mid + 1, end) + '\n' + text.slice(start, mid) + text.slice(end);
}

/**
 * Applies the edits in turn, checking as an editor does (every `every`-th edit, so that several
 * keystrokes can fall between two checks), and compares each check with a fresh one.
 */
/**
 * A check's findings, with the SCRAM verifiers that sql-plaintext-password's fixes insert reduced to
 * their password's place: each is computed with a random salt, so a carried-over fix and a fresh one
 * hold different (equally valid) verifiers once the rule's cache of them has moved on.
 */
const comparable = (findings: Finding[]) =>
  JSON.parse(JSON.stringify(findings).replace(/SCRAM-SHA-256\$\d+:[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+/g, 'SCRAM-SHA-256$…'));

function sameAsFresh(file: string, text: string, edits: Edit[], every = 1, opts = OPTS) {
  forgetEdited(file);
  try {
    checkFile(file, text, 'sql', { ...opts, editing: true });
    let now = text;
    edits.forEach((e, i) => {
      now = edited(now, e);
      if ((i + 1) % every !== 0 && i !== edits.length - 1) return;
      const kept = checkFile(file, now, 'sql', { ...opts, editing: true });
      const fresh = checkFile(file, now, 'sql', opts);
      assert.deepEqual(comparable(kept), comparable(fresh), `${path.basename(file)} after ${JSON.stringify(e)}:\n${now}`);
    });
  } finally {
    forgetEdited(file);
  }
}

test('a series of edits anywhere in every fixture and example, checked after every edit or every few: each check equals a fresh one', () => {
  const all = inputs();
  assert.ok(all.length > 40, `${all.length} inputs`);
  fc.assert(
    fc.property(
      fc.constantFrom(...all).chain((input) =>
        fc.tuple(fc.constant(input), fc.array(editOf(input.text.length), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 3 })),
      ),
      ([input, edits, every]) => sameAsFresh(input.file, input.text, edits, every),
    ),
    { numRuns: LONG ? 20_000 : 300, seed: LONG ? Number(process.env.PG_HARDEN_SEED ?? Date.now()) : 11 },
  );
});

/**
 * A migration long enough that the incremental model keeps states inside it (incremental-model.ts),
 * with every statement the model follows: search_path changes, renames and drops of tables and
 * policies, functions and their grants, default privileges, views.
 */
function largeMigration(blocks: number): string {
  const out: string[] = [];
  for (let n = 0; n < blocks; n++) {
    const schema = n % 7 === 3 ? 'app' : 'public';
    if (n % 11 === 5) out.push(`SET search_path = ${schema === 'app' ? 'public' : 'app'};`);
    if (n % 13 === 6) out.push(`SELECT pg_catalog.set_config('search_path', 'app', false);`);
    out.push(`CREATE TABLE ${schema}.t${n} (id bigint, tenant_id bigint);`);
    out.push(`ALTER TABLE ${schema}.t${n} ENABLE ROW LEVEL SECURITY;`);
    if (n % 2 === 0) out.push(`ALTER TABLE ${schema}.t${n} FORCE ROW LEVEL SECURITY;`);
    out.push(`CREATE POLICY p${n} ON t${n} USING (tenant_id = 1)${n % 3 === 0 ? '' : ' WITH CHECK (tenant_id = 1)'};`);
    if (n % 10 === 3) out.push(`ALTER POLICY p${n} ON t${n} USING (tenant_id = 2);`);
    if (n % 12 === 8) out.push(`ALTER POLICY p${n} ON t${n} RENAME TO q${n};`);
    if (n % 5 === 1) out.push(`DROP POLICY p${n} ON t${n};`);
    if (n % 9 === 2) out.push(`ALTER TABLE t${n} RENAME TO r${n};`);
    if (n % 8 === 4) out.push(`ALTER TABLE t${n} ADD COLUMN org_id bigint;`);
    if (n % 4 === 1) out.push(`CREATE FUNCTION f${n}() RETURNS int LANGUAGE sql SECURITY DEFINER AS $$ SELECT 1 $$;`);
    if (n % 8 === 1) out.push(`REVOKE EXECUTE ON FUNCTION f${n}() FROM PUBLIC;`);
    if (n % 17 === 9) out.push('ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;');
    if (n % 6 === 2) out.push(`CREATE VIEW v${n} AS SELECT * FROM t${n};`);
    if (n % 19 === 7) out.push(`DROP TABLE t${n - 1};`);
    out.push(`INSERT INTO t${n} VALUES (${n}, 1);`);
  }
  return out.join('\n') + '\n';
}

test('a series of edits anywhere in a migration long enough for kept model states: each check equals a fresh one', () => {
  const file = path.join('/nonexistent', 'long.sql');
  const text = largeMigration(120);
  fc.assert(
    fc.property(fc.array(editOf(text.length), { minLength: 1, maxLength: 5 }), fc.integer({ min: 1, max: 2 }), (edits, every) =>
      sameAsFresh(file, text, edits, every),
    ),
    { numRuns: LONG ? 1_000 : 40, seed: LONG ? Number(process.env.PG_HARDEN_SEED ?? Date.now()) : 5 },
  );
});

/** Where a model's facts come from, by place in the file: comparable between two builds. */
function placesOf(model: SchemaModel) {
  const at = (o: Origin | undefined) => o && [o.stmt.start, o.stmt.end, o.stmt.text, o.node.location, o.cmd?.subtype];
  return {
    tables: [...model.tables.values()].map((t) => [t.name, t.columns, [...t.columnTypes], at(t.created), at(t.rlsEnabled), at(t.rlsForced), at(t.rlsDisabled), t.policies.map((p) => [p.name, p.table, at(p.origin)])]),
    functions: [...model.functions.values()].map((f) => [f.name, f.signature, f.securityDefiner, f.publicExecuteRevoked, at(f.origin)]),
    functionNames: [...model.functionNames],
    views: [...model.views.values()].map((v) => [v.name, v.tables, v.securityInvoker, at(v.origin)]),
  };
}

function originsOf(model: SchemaModel): Origin[] {
  const out: (Origin | undefined)[] = [];
  for (const t of model.tables.values()) out.push(t.created, t.rlsEnabled, t.rlsForced, t.rlsDisabled, ...t.policies.map((p) => p.origin));
  for (const f of model.functions.values()) out.push(f.origin);
  for (const v of model.views.values()) out.push(v.origin);
  return out.filter((o): o is Origin => o !== undefined);
}

test('an incremental model after each edit of a series: the facts a fresh build makes, each naming the newest analysis and one of its statements', () => {
  const file = path.join('/nonexistent', 'model.sql');
  const text = largeMigration(120);
  fc.assert(
    fc.property(fc.array(editOf(text.length), { minLength: 1, maxLength: 6 }), (edits) => {
      forgetEdited(file);
      try {
        let now = text;
        let build: ModelBuild | undefined;
        for (const [i, e] of [undefined, ...edits].entries()) {
          if (e) now = edited(now, e);
          const analysis = analyzeSql(file, now, true);
          // Now and then with no previous build (its check failed), while the analysis still carries the statements over.
          build = buildModelIncrementally([analysis], i % 3 === 2 ? undefined : build, analysis);
          assert.deepEqual(placesOf(build.model), placesOf(buildModel([analyzeSql(file, now)])));
          const statements = new Set(analysis.statements);
          for (const o of originsOf(build.model)) {
            assert.equal(o.analysis, analysis, 'a fact names an earlier analysis of the file');
            assert.ok(statements.has(o.stmt), `a fact names a statement the newest analysis does not have: ${o.stmt.text}`);
          }
        }
      } finally {
        forgetEdited(file);
      }
    }),
    { numRuns: LONG ? 1_000 : 40, seed: LONG ? Number(process.env.PG_HARDEN_SEED ?? Date.now()) : 7 },
  );
});

test("an edit of one table's policy: the next build hands back the other tables' facts instead of making them again", () => {
  const file = path.join('/nonexistent', 'handed-back.sql');
  const tables = ['a', 'b', 'c', 'd'];
  const text = tables.map((t) => `CREATE TABLE ${t} (id int);\nALTER TABLE ${t} ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p_${t}1 ON ${t} USING (true);\n`).join('') + 'CREATE POLICY p_a2 ON a USING (true);\n';
  forgetEdited(file);
  try {
    for (const change of [(s: string) => s.replace('p_a1', 'p_a9'), (s: string) => s.replace('p_a1', 'p_a10')]) {
      const first = analyzeSql(file, text, true);
      const before = buildModelIncrementally([first], undefined, first);
      const second = analyzeSql(file, change(text), true);
      const after = buildModelIncrementally([second], before, second);
      assert.notEqual(after.model.tables.get('public.a'), before.model.tables.get('public.a'));
      for (const t of ['b', 'c', 'd']) {
        const fact = after.model.tables.get(`public.${t}`)!;
        assert.equal(fact, before.model.tables.get(`public.${t}`), `table ${t}`);
        // Handed back, and pointed at the statement as it is now: a longer name moves it.
        const statement = second.statements.find((s) => s.text.includes(`CREATE POLICY p_${t}1`));
        assert.equal(fact.policies[0].origin.stmt, statement);
        assert.equal(fact.policies[0].origin.analysis, second);
      }
      assert.deepEqual(after.model.tables.get('public.a')!.policies.map((p) => p.name), [change('p_a1'), 'p_a2']);
      forgetEdited(file);
    }
  } finally {
    forgetEdited(file);
  }
});

/** A replay's policies by place in their files: comparable between two replays. */
const policyPlaces = (policies: PolicyState[]) =>
  policies.map((p) => [p.table, p.name, p.command, ...[p.created, p.using, p.check].map((n) => n && [n.analysis.file, n.stmt.start, n.stmt.text, n.index])]);

/** largeMigration cut into `count` files of a history, at statement ends. */
function historyTexts(count: number): { file: string; text: string }[] {
  const lines = largeMigration(80).split('\n');
  const size = Math.ceil(lines.length / count);
  return Array.from({ length: count }, (_, i) => ({ file: `/mem/replay/migrations/${String(i).padStart(3, '0')}.sql`, text: lines.slice(i * size, (i + 1) * size).join('\n') + '\n' }));
}

test('the policies replayed while one file of a history is edited: those of a fresh replay', () => {
  const files = historyTexts(4);
  const longest = Math.max(...files.map((f) => f.text.length));
  fc.assert(
    fc.property(fc.nat({ max: files.length - 1 }), fc.array(editOf(longest), { minLength: 1, maxLength: 5 }), (which, edits) => {
      const { file } = files[which];
      forgetEdited(file);
      try {
        const others = files.map((f) => analyzeSql(f.file, f.text));
        let now = files[which].text;
        for (const e of [undefined, ...edits]) {
          if (e) now = edited(now, e);
          const history = others.map((a, i) => (i === which ? analyzeSql(file, now, true) : a));
          const fresh = files.map((f, i) => analyzeSql(f.file, i === which ? now : f.text));
          assert.deepEqual(policyPlaces(replayPolicies(history)), policyPlaces(replayPolicies(fresh)));
        }
      } finally {
        forgetEdited(file);
      }
    }),
    { numRuns: LONG ? 1_000 : 40, seed: LONG ? Number(process.env.PG_HARDEN_SEED ?? Date.now()) : 3 },
  );
});

test('editing one file of a history: the policies of the files before it are not replayed again', () => {
  const files = historyTexts(4);
  const { file, text } = files[2];
  forgetEdited(file);
  try {
    const others = files.map((f) => analyzeSql(f.file, f.text));
    const replay = (t: string) => replayPolicies(others.map((a, i) => (i === 2 ? analyzeSql(file, t, true) : a)));
    // Opened, then two keystrokes: the first tells which file is edited, the second starts there.
    replay(text);
    const first = replay(text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY x$1'));
    const second = replay(text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY y$1'));
    const before = (policies: PolicyState[]) => policies.filter((p) => p.created.analysis === others[0] || p.created.analysis === others[1]);
    assert.ok(before(first).length > 10, `${before(first).length} policies before the edited file`);
    assert.equal(before(second).length, before(first).length);
    before(second).forEach((p, i) => assert.equal(p, before(first)[i], p.name));
    assert.notDeepEqual(policyPlaces(second), policyPlaces(first));
    // An earlier file changed on disk: the kept state is not taken, and the replay is a fresh one's.
    const changed = files[0].text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY z$1');
    others[0] = analyzeSql(files[0].file, changed);
    const now = text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY w$1');
    const fresh = files.map((f, i) => analyzeSql(f.file, i === 0 ? changed : i === 2 ? now : f.text));
    const afterChange = replay(now);
    assert.deepEqual(policyPlaces(afterChange), policyPlaces(replayPolicies(fresh)));
    // Closed and opened again: nothing kept from before.
    forgetEdited(file);
    replay(text);
    const reopened = replay(text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY v$1'));
    const third = replay(text.replace(/CREATE POLICY p(\d+)/, 'CREATE POLICY u$1'));
    assert.ok(before(third).every((p, i) => p === before(reopened)[i]));
    assert.ok(before(reopened).length > 10 && !before(reopened).some((p) => before(afterChange).includes(p)), 'a state kept from before the file was closed');
  } finally {
    forgetEdited(file);
  }
});

test('same-length edits that move a line break: the syntax errors after them move too', () => {
  const file = path.join('/nonexistent', 'moved.sql');
  const series = [
    // Move Line Down.
    ['A; BAD;\nBB; BAD;\n', 'BB; BAD;\nA; BAD;\n'],
    // A line break moved by two keystrokes between checks, then an edit before it.
    ['SELECT 12\n;BAD;', 'SELECT\n12 ;BAD;', 'SELECX\n12 ;BAD;'],
  ];
  for (const texts of series) {
    forgetEdited(file);
    for (const text of texts) assert.deepEqual(checkFile(file, text, 'sql', { ...OPTS, editing: true }), checkFile(file, text, 'sql', OPTS), JSON.stringify(text));
  }
  forgetEdited(file);
});

test('one-character edits at every 53rd offset of every fixture and example: each check equals a fresh one', () => {
  let edits = 0;
  for (const { file, text } of inputs()) {
    const series = [];
    for (let at = 0; at < text.length; at += 53) series.push({ at, remove: 0, insert: 'x' }, { at, remove: 1, insert: '' });
    sameAsFresh(file, text, series);
    edits += series.length;
  }
  assert.ok(edits > 500, `${edits} edits`);
});

/** What the rule reports on the file alone, before suppressions (a blanked statement may hold one). */
function reports(rule: SqlRule, file: string, text: string): Report[] {
  const analysis = analyzeSql(file, text);
  const out: Report[] = [];
  rule.check({ analysis, pgVersion: 17, history: [analysis], model: buildModel([analysis]), config: DEFAULT_CONFIG }, (r) => out.push(r));
  return out;
}

test('a history whose other file changes on disk, new settings, a rule that throws: each check equals a fresh one', () => {
  // A two-file history in memory, so that the other file can change between keystrokes.
  const dir = '/mem/db/migrations';
  const files = new Map([
    [`${dir}/001_tables.sql`, 'CREATE TABLE app.t (id bigint, tenant_id bigint);\n'],
    [`${dir}/002_rls.sql`, 'ALTER TABLE app.t ENABLE ROW LEVEL SECURITY;\nINSERT INTO app.t VALUES (1, 1);\n'],
  ]);
  const memFs: CheckOptions['fs'] = {
    readFile: (f) => files.get(f) ?? { code: 'ENOENT' },
    readDir: (d) => (d === dir ? [...files.keys()].map((f) => path.basename(f)) : { code: 'ENOENT' }),
  };
  const edited = `${dir}/002_rls.sql`;
  let text = files.get(edited)!;
  const config = { ...DEFAULT_CONFIG, root: '/mem' };
  let opts: CheckOptions = { pgVersion: 17, fs: memFs, config };
  const step = (change: () => void) => {
    change();
    files.set(edited, text);
    const kept = checkFile(edited, text, 'sql', { ...opts, editing: true });
    assert.deepEqual(kept, checkFile(edited, text, 'sql', opts), text);
    return kept;
  };
  const boom = SQL_RULES.find((r) => r.id === 'sql-rls-not-forced')!;
  const original = boom.check;
  boom.check = (ctx, report) => {
    if (ctx.analysis.text.includes('BOOM')) throw new Error('boom');
    original(ctx, report);
  };
  forgetEdited(edited);
  try {
    step(() => {});
    assert.ok(step(() => (text = text.replace('(1, 1)', '(1, 2)'))).some((f) => f.rule === 'sql-rls-not-forced'));
    // The other file drops the table: the RLS rules' findings go, though the edit touched no statement they read.
    files.set(`${dir}/001_tables.sql`, '-- nothing yet\n');
    assert.ok(!step(() => (text = text.replace('(1, 2)', '(1, 3)'))).some((f) => f.rule === 'sql-rls-not-forced'));
    files.set(`${dir}/001_tables.sql`, 'CREATE TABLE app.t (id bigint, tenant_id bigint);\n');
    step(() => (text = text.replace('(1, 3)', '(1, 4)')));
    // Other settings: another tenant column, another version.
    opts = { ...opts, config: { ...config, tenantColumns: ['id'] } };
    step(() => (text = text.replace('(1, 4)', '(1, 5)')));
    opts = { ...opts, pgVersion: 14 };
    step(() => (text = text.replace('(1, 5)', '(1, 6)')));
    // A rule that throws gives an internal error, and the check after it is whole again. (It throws
    // on an edit of a statement it reads: a rule's findings depend on nothing else.)
    assert.ok(step(() => (text += 'ALTER TABLE app.t ADD COLUMN note text; -- BOOM\n')).some((f) => f.rule === INTERNAL_ERROR_RULE));
    assert.ok(step(() => (text = text.replace('-- BOOM', '-- ok'))).some((f) => f.rule === 'sql-rls-not-forced'));
  } finally {
    boom.check = original;
    forgetEdited(edited);
  }
});

/** Blanks a statement in place: same length and line breaks, so every other offset holds. */
const blank = (text: string, start: number, end: number) =>
  text.slice(0, start) + text.slice(start, end + 1).replace(/[^\n]/g, ' ') + text.slice(end + 1);

test("each rule's reads: blanking the statements of every other type leaves its findings as they were", () => {
  let compared = 0;
  for (const { file, text } of inputs()) {
    const statements = analyzeSql(file, text).statements;
    
    for (const rule of SQL_RULES) {
      if (!rule.reads) continue;
      const others = statements.filter((s) => !footprint(s).some((t) => rule.reads!.includes(t)));
      if (!others.length) continue;
      let stripped = text;
      for (const s of others) stripped = blank(stripped, s.start, Math.min(s.end, text.length - 1));
      assert.deepEqual(reports(rule, file, stripped), reports(rule, file, text), `${rule.id} on ${path.basename(file)}`);
      compared++;
    }
  }
  assert.ok(compared > 100, `${compared} comparisons`);
});

test('an edited INSERT literal or table GRANT in a large migration runs none of the rules that read the model, a policy edit none of those on functions', () => {
  const file = path.join('/nonexistent', 'large.sql');
  const table = (n: number) =>
    `CREATE TABLE app.t${n} (id bigint, tenant_id bigint);\nALTER TABLE app.t${n} ENABLE ROW LEVEL SECURITY;\n` +
    `CREATE POLICY p${n} ON app.t${n} USING (tenant_id = 1);\nINSERT INTO app.t${n} VALUES (1, 'seed-1000');\n` +
    `GRANT SELECT ON app.t${n} TO app_ro;\n`;
  let text = Array.from({ length: 200 }, (_, n) => table(n)).join('');
  const modelRules = SQL_RULES.filter((r) => r.reads?.includes('CreateStmt'));
  assert.ok(modelRules.length >= 5, `${modelRules.length} rules read the model`);
  const calls = new Map<string, number>();
  const originals = modelRules.map((r) => r.check);
  modelRules.forEach((r, i) => (r.check = (ctx, report) => (calls.set(r.id, (calls.get(r.id) ?? 0) + 1), originals[i](ctx, report))));
  forgetEdited(file);
  try {
    checkFile(file, text, 'sql', { ...OPTS, editing: true });
    const after = (f: () => void) => {
      calls.clear();
      f();
      return [...calls.values()].reduce((a, b) => a + b, 0);
    };
    const at = text.indexOf('seed-1000', text.length / 2) + 5;
    text = text.slice(0, at) + '7' + text.slice(at + 1);
    assert.equal(after(() => checkFile(file, text, 'sql', { ...OPTS, editing: true })), 0, 'model rules ran for a literal edit');
    const role = text.indexOf('app_ro', text.length / 2);
    text = text.slice(0, role) + 'app_rw' + text.slice(role + 'app_ro'.length);
    assert.equal(after(() => checkFile(file, text, 'sql', { ...OPTS, editing: true })), 0, 'model rules ran for a table GRANT edit');
    const grant = text.indexOf('ENABLE', text.length / 2);
    text = text.slice(0, grant) + 'DISABLE' + text.slice(grant + 'ENABLE'.length);
    assert.equal(after(() => checkFile(file, text, 'sql', { ...OPTS, editing: true })), modelRules.length, 'every model rule runs when RLS is turned off');
    // The rules on functions read none of a policy's statement: a policy's name is edited without them.
    const functionRules = SQL_RULES.filter((r) => r.reads?.includes('CreateFunctionStmt') && !r.reads.includes('CreatePolicyStmt'));
    assert.ok(functionRules.length >= 2, `${functionRules.length} rules read only the model's functions`);
    const checked = new Set<string>();
    const spy = functionRules.map((r) => r.check);
    functionRules.forEach((r, i) => (r.check = (ctx, report) => (checked.add(r.id), spy[i](ctx, report))));
    try {
      const policy = text.indexOf('CREATE POLICY p', text.length / 2) + 'CREATE POLICY p'.length;
      text = text.slice(0, policy) + '9' + text.slice(policy);
      assert.ok(after(() => checkFile(file, text, 'sql', { ...OPTS, editing: true })) > 0, 'the policy rules ran');
      assert.deepEqual([...checked], [], 'rules on functions ran for a policy edit');
    } finally {
      functionRules.forEach((r, i) => (r.check = spy[i]));
    }
    assert.deepEqual(checkFile(file, text, 'sql', { ...OPTS, editing: true }), checkFile(file, text, 'sql', OPTS));
  } finally {
    modelRules.forEach((r, i) => (r.check = originals[i]));
    forgetEdited(file);
  }
});
