// The engine's vocabulary. Nothing here knows about LSP or the CLI: both fronts translate.
import type { EngineConfig } from './config';

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Zero-based line and UTF-16 character, as editors count. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  /** Absolute path of the file the edit applies to. */
  file: string;
  range: Range;
  newText: string;
}

/**
 * safe: changes nothing about who can connect, what runs, or what anyone can see; fix-all applies it.
 * manual: offered to a person, never applied by fix-all or by `pg-harden fix` without --unsafe.
 */
export type FixSafety = 'safe' | 'manual';

export interface Fix {
  title: string;
  safety: FixSafety;
  /** Empty when the fix is advice only (a snippet to adapt, a decision to make). */
  edits: TextEdit[];
  /** The edit inserts a placeholder a person must replace: never applied in bulk, even with --unsafe. */
  placeholder?: boolean;
}

export interface Finding {
  /** Absolute path of the file the finding is in. */
  file: string;
  rule: string;
  severity: Severity;
  range: Range;
  message: string;
  fixes: Fix[];
  /** For *-syntax findings: PostgreSQL's own error text, verbatim. */
  pgError?: string;
  /** For *-syntax findings: the zero-based line PostgreSQL names (a record's first line). */
  pgLine?: number;
  /** Other places the finding is about (the setting that overrides this one, say). */
  related?: RelatedLocation[];
}

export interface RelatedLocation {
  file: string;
  range: Range;
  message: string;
}

export type FileKind = 'hba' | 'ident' | 'conf' | 'sql';

/** How the engine reads files other than the one being checked (includes, @file references). */
export interface FileSystem {
  /** The text of the file, or an errno-style code such as 'ENOENT' or 'EISDIR'. */
  readFile(path: string): string | { code: string };
  /** Names of the regular files in a directory, or an errno-style code. */
  readDir(path: string): string[] | { code: string };
  /** Names of the subdirectories of a directory (Prisma keeps each migration in its own folder). */
  listDirs?(path: string): string[];
}

export interface CheckOptions {
  /** Major version of the target PostgreSQL server, 13 to 18. */
  pgVersion: number;
  fs: FileSystem;
  /** The project's settings; the defaults when absent. */
  config?: EngineConfig;
  /** The checked file is open in an editor: keep its decoded SQL trees for the next keystroke. */
  editing?: boolean;
}

export const SUPPORTED_PG_VERSIONS = [13, 14, 15, 16, 17, 18] as const;
export const DEFAULT_PG_VERSION = 17;
