// The migration examples, and the ALTER SYSTEM fixes, on a real PostgreSQL 17, statement by statement, in history order: the
// hardened set runs without an error; the insecure set, before and after `pg-harden fix --unsafe`,
// fails exactly at the statements our sql-syntax flags, with PostgreSQL's own message. After the
// fixes, no finding is left that still has a concrete fix to apply.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { checkFile } from '../server/src/engine/check';
import { applyEdits } from '../server/src/engine/fix';
import { initEngine } from '../server/src/engine/init';
import { nodeFileSystem } from '../server/src/engine/node-fs';
import { analyzeSql } from '../server/src/engine/sql';
import { historyFiles } from '../server/src/engine/sql/history';
import type { Finding } from '../server/src/engine/types';
import { startPostgres, type PgServer } from './support/postgres';

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
let server: PgServer;

before(async () => {
  await initEngine();
  server = await startPostgres(17, { ssl: false });
});
after(() => server?.stop());

function copyExample(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `pgh-${name}-`));
  fs.cpSync(path.join(ROOT, 'examples', name, 'migrations'), path.join(dir, 'migrations'), { recursive: true });
  return path.join(dir, 'migrations');
}

function findingsOf(dir: string): Finding[] {
  const files = historyFiles(path.join(dir, fs.readdirSync(dir)[0]), nodeFileSystem);
  return checkFile(files[0], fs.readFileSync(files[0], 'utf8'), 'sql', { pgVersion: 17, fs: nodeFileSystem });
}

interface Outcome {
  ran: number;
  skipped: string[];
  /** file:line → PostgreSQL's error message, for each statement the server refused. */
  refused: Map<string, string>;
}

/**
 * Runs every statement of the history in a new database, as the migration tool would (one
 * statement at a time, in order). Statements that start a program on the server (COPY … PROGRAM,
 * which sql-copy-program flags) are not run on the test machine.
 */
async function runHistory(dir: string, database: string, findings: Finding[]): Promise<Outcome> {
  const rolesBefore = new Set((await server.query('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname as string));
  await server.query(`CREATE DATABASE ${database}`);
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'postgres', database, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  client.on('notice', () => undefined);
  await client.connect();
  const outcome: Outcome = { ran: 0, skipped: [], refused: new Map() };
  try {
    for (const file of historyFiles(path.join(dir, fs.readdirSync(dir)[0]), nodeFileSystem)) {
      const analysis = analyzeSql(file, fs.readFileSync(file, 'utf8'));
      for (const stmt of analysis.statements) {
        const trivia = /^(?:\s+|--[^\n]*)*/.exec(stmt.text)![0].length;
        if (trivia === stmt.text.length) continue;
        const first = analysis.positionAt(stmt.start + trivia).line;
        const last = analysis.positionAt(stmt.start + stmt.text.length).line;
        const where = (line: number) => `${path.basename(file)}:${line + 1}`;
        const mine = findings.filter((f) => f.file === file && f.range.start.line >= first && f.range.start.line <= last);
        if (mine.some((f) => f.rule === 'sql-copy-program')) {
          outcome.skipped.push(where(first));
          continue;
        }
        outcome.ran++;
        try {
          await client.query(stmt.text);
        } catch (e) {
          outcome.refused.set(where(first), (e as Error).message);
        }
      }
    }
    // Roles belong to the whole server: the next history must not find these.
    const created = (await client.query('SELECT rolname FROM pg_roles')).rows.map((r) => r.rolname as string).filter((r) => !rolesBefore.has(r));
    if (created.length) await client.query(`DROP OWNED BY ${created.join(', ')} CASCADE`);
    await client.end();
    await server.query(`DROP DATABASE ${database}`);
    for (const r of created) await server.query(`DROP ROLE ${r}`);
  } finally {
    await client.end().catch(() => undefined);
  }
  return outcome;
}

/** Where our sql-syntax says PostgreSQL will refuse a statement, and with what message. */
const syntaxFindings = (findings: Finding[]) =>
  new Map(findings.filter((f) => f.rule === 'sql-syntax').map((f) => [`${path.basename(f.file)}:${f.range.start.line + 1}`, f.pgError]));

test('hardened migrations run on PostgreSQL 17 without an error, and we report nothing', async () => {
  const dir = copyExample('hardened');
  const findings = findingsOf(dir);
  assert.deepEqual(findings, []);
  const outcome = await runHistory(dir, 'hardened', findings);
  assert.deepEqual([...outcome.refused], []);
  assert.ok(outcome.ran >= 20, `only ${outcome.ran} statements ran`);
});

test('insecure migrations: the server refuses exactly what sql-syntax flags, before and after fix --unsafe', async () => {
  const dir = copyExample('insecure');
  const before = findingsOf(dir);
  const original = await runHistory(dir, 'insecure_original', before);
  assert.deepEqual(original.refused, syntaxFindings(before));
  assert.ok(original.refused.size >= 1, 'the example keeps one broken statement');

  const fix = spawnSync(process.execPath, [CLI, 'fix', '--unsafe', dir], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(fix.status, 0, fix.stderr);
  const afterFix = findingsOf(dir);
  const fixed = await runHistory(dir, 'insecure_fixed', afterFix);
  assert.deepEqual(fixed.refused, syntaxFindings(afterFix), 'after the fixes, only the broken statement is refused');
  assert.ok(fixed.ran > original.ran, 'the fixes added statements (FORCE, REVOKE, policies) and they ran');

  const concrete = afterFix.filter((f) => f.fixes.some((x) => x.edits.length > 0 && !x.placeholder));
  assert.deepEqual(
    concrete.map((f) => `${path.basename(f.file)}:${f.range.start.line + 1} ${f.rule}`),
    [],
    'no finding with a concrete fix is left',
  );
  // What is left needs a person: a placeholder to fill in, or no fix at all.
  assert.deepEqual(
    [...new Set(afterFix.map((f) => f.rule))].sort(),
    ['sql-copy-program', 'sql-grant-public', 'sql-md5-password', 'sql-permissive-policy', 'sql-policy-missing-with-check', 'sql-rls-no-policy', 'sql-syntax'],
  );
});

test('ALTER SYSTEM with a name that is no parameter\'s: PostgreSQL refuses exactly those statements, with our message', async () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'sql', 'alter-system', '002_names.sql');
  const analysis = analyzeSql(file, fs.readFileSync(file, 'utf8'));
  const reported = checkFile(file, analysis.text, 'sql', { pgVersion: 17, fs: nodeFileSystem }).filter((f) => f.rule === 'conf-unknown-parameter');
  const refused: string[] = [];
  try {
    for (const stmt of analysis.statements) {
      if (!stmt.types.includes('AlterSystemStmt')) continue;
      try {
        await server.query(stmt.text);
      } catch (e) {
        refused.push(`${analysis.positionAt(stmt.start + stmt.text.search(/ALTER/)).line}: ${(e as Error).message}`);
      }
    }
  } finally {
    await server.query('ALTER SYSTEM RESET ALL');
  }
  assert.deepEqual(refused, reported.map((f) => `${f.range.start.line}: ${f.pgError}`));
  assert.equal(refused.length, 3);
});

test('ALTER SYSTEM fixes: each fixed statement runs, and the value PostgreSQL writes satisfies the conf rule', async () => {
  const file = path.join(ROOT, 'test', 'fixtures', 'sql', 'alter-system', '001_settings.sql');
  const text = fs.readFileSync(file, 'utf8');
  const findings = checkFile(file, text, 'sql', { pgVersion: 17, fs: nodeFileSystem }).filter((f) => f.rule.startsWith('conf-'));
  let tried = 0;
  try {
    for (const f of findings) {
      const fix = f.fixes.find((x) => x.edits.length && !x.placeholder);
      if (!fix) continue;
      tried++;
      const fixed = analyzeSql(file, applyEdits(text, fix.edits));
      const stmt = fixed.statements.find((s) => fixed.positionAt(s.start + s.text.length).line >= f.range.start.line)!;
      await server.query(stmt.text);
      const name = /ALTER SYSTEM SET (\w+)/i.exec(stmt.text)![1];
      const { rows } = await server.query(
        "SELECT setting FROM pg_file_settings WHERE name = $1 AND sourcefile LIKE '%postgresql.auto.conf'",
        [name],
      );
      assert.equal(rows.length, 1, `${stmt.text.trim()}: PostgreSQL wrote ${name}`);
      const conf = `${name} = '${String(rows[0].setting).replace(/'/g, "''")}'\n`;
      const again = checkFile('/nonexistent/postgresql.auto.conf', conf, 'conf', { pgVersion: 17, fs: nodeFileSystem });
      assert.deepEqual(again.filter((g) => g.rule === f.rule).map((g) => g.message), [], `${f.rule} after "${stmt.text.trim()}"`);
    }
  } finally {
    await server.query('ALTER SYSTEM RESET ALL');
  }
  assert.ok(tried >= 10, `only ${tried} ALTER SYSTEM fixes tried`);
});
