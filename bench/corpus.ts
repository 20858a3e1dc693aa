// Writes the benchmark corpus from a fixed seed: the same files on every run, at full or quick scale.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rng } from '../test/support/random';
import { joinChunks, preamble, tableBlock, type SqlChunk } from './gen-sql';
import { hbaConf, hbaSiblingConf, postgresqlConf } from './gen-conf';

export const SEED = 0x5eed6;

export interface Scale {
  /** Statements in the single large migration. */
  statements: number;
  treeFiles: number;
  treeBytes: number;
  hbaLines: number;
  confLines: number;
  /** Single-character edits in the editor session. */
  edits: number;
}

export const FULL: Scale = { statements: 15_000, treeFiles: 1_000, treeBytes: 10_000_000, hbaLines: 20_000, confLines: 5_000, edits: 200 };
// The tree is smaller than 1/50 in bytes: our CLI still re-reads the whole history per file.
export const QUICK: Scale = { statements: 300, treeFiles: 10, treeBytes: 100_000, hbaLines: 400, confLines: 100, edits: 20 };
export const SMALL_HBA_LINES = 100;

export interface Edit {
  offset: number;
  /** The character written at offset (the digit after the one there), or inserted there. */
  text: string;
  /**
   * replace (the default): `text` takes the place of the character at offset; insert: it goes in
   * before it; delete: the character at offset goes. An insertion moves every statement after it.
   */
  kind?: 'replace' | 'insert' | 'delete';
}

export interface Corpus {
  dir: string;
  /** The single large migration, a loose file (no migration history around it). */
  migration: string;
  migrationStatements: number;
  migrationBytes: number;
  /** The folder holding `migrations/` with treeFiles files: one history. */
  tree: string;
  treeFiles: string[];
  treeBytes: number;
  hba: string;
  smallHba: string;
  conf: string;
  confLines: number;
  /** Edits to apply one after another to the migration's text; each keeps it valid SQL. */
  edits: Edit[];
  /** As many edits of policy names: statements the schema model reads, so our server runs its rules again. */
  modelEdits: Edit[];
}

/** Statements for tables first, first + 1, ... without end. */
function* tables(first: number, rand: () => number): Generator<SqlChunk> {
  for (let n = first; ; n++) yield* tableBlock(n, rand);
}

export function generateCorpus(dir: string, scale: Scale): Corpus {
  const rand = rng(SEED);
  fs.rmSync(dir, { recursive: true, force: true });
  const write = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };

  const chunks: SqlChunk[] = [];
  const head = preamble();
  const headStatements = head.split(';').length - 1;
  for (const c of tables(1, rand)) {
    if (headStatements + chunks.length >= scale.statements) break;
    chunks.push(c);
  }
  const { sql, editSites, modelEditSites } = joinChunks(chunks, head);
  const migration = write('single/migration.sql', sql);

  const editsAt = (sites: number[], pick: () => number) => {
    const edits: Edit[] = [];
    const text = sql.split('');
    for (let i = 0; i < scale.edits; i++) {
      const offset = sites[Math.floor(pick() * sites.length)];
      const digit = String((Number(text[offset]) + 1) % 10);
      text[offset] = digit;
      edits.push({ offset, text: digit });
    }
    return edits;
  };
  const edits = editsAt(editSites, rand);
  // A generator of their own, so that the tree below stays what it was.
  const modelEdits = editsAt(modelEditSites, rng(SEED + 1));

  // The tree continues numbering far from the single file's tables; files split blocks anywhere,
  // so a table's RLS or policy often lands in the next file (the cross-file case).
  const treeFiles: string[] = [];
  const perFile = scale.treeBytes / scale.treeFiles;
  const stream = tables(1_000_001, rand);
  let treeBytes = 0;
  for (let f = 1; f <= scale.treeFiles; f++) {
    let body = f === 1 ? preamble() : '';
    while (body.length < perFile) body += stream.next().value!.sql + '\n';
    const name = `migrations/${String(f).padStart(4, '0')}_step_${f}.sql`;
    treeFiles.push(write(`tree/${name}`, body));
    treeBytes += Buffer.byteLength(body);
  }

  const hba = write('hba/pg_hba.conf', hbaConf(scale.hbaLines, rand));
  write('hba/postgresql.conf', hbaSiblingConf());
  const smallHba = write('hba-small/pg_hba.conf', hbaConf(SMALL_HBA_LINES, rand));
  write('hba-small/postgresql.conf', hbaSiblingConf());

  let confLines = 0;
  for (const [rel, t] of postgresqlConf(scale.confLines, rand)) {
    write(`conf/${rel}`, t);
    confLines += t.split('\n').length - 1;
  }

  return {
    dir,
    migration,
    migrationStatements: headStatements + chunks.length,
    migrationBytes: Buffer.byteLength(sql),
    tree: path.join(dir, 'tree'),
    treeFiles,
    treeBytes,
    hba,
    smallHba,
    conf: path.join(dir, 'conf', 'postgresql.conf'),
    confLines,
    edits,
    modelEdits,
  };
}

/** Where the digits of a file's policy names are, in order. */
function policyNameSites(text: string): number[] {
  const sites: number[] = [];
  for (const m of text.matchAll(/CREATE POLICY [A-Za-z_]*(\d)/g)) sites.push(m.index! + m[0].length - 1);
  return sites;
}

/**
 * `count` edits of a digit in the names of a file's policies, in turn (statements the schema model
 * reads): each writes the digit after the one there.
 */
export function policyNameEdits(text: string, count: number): Edit[] {
  const sites = policyNameSites(text);
  const chars = text.split('');
  const edits: Edit[] = [];
  for (let i = 0; sites.length && i < count; i++) {
    const offset = sites[i % sites.length];
    chars[offset] = String((Number(chars[offset]) + 1) % 10);
    edits.push({ offset, text: chars[offset] });
  }
  return edits;
}

/**
 * What typing does, `count` edits: a digit typed into a policy's name, then deleted, at one policy
 * after another. Each insertion and deletion changes the file's length, so every statement after it
 * moves; the text is the same again after each pair.
 */
export function typingEdits(text: string, count: number): Edit[] {
  const sites = policyNameSites(text);
  const edits: Edit[] = [];
  for (let i = 0; sites.length && edits.length < count; i++) {
    const offset = sites[i % sites.length];
    edits.push({ offset, text: '7', kind: 'insert' });
    if (edits.length < count) edits.push({ offset, text: '', kind: 'delete' });
  }
  return edits;
}
