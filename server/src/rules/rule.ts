// What a rule is: its identity, its documentation, its check, and the strongest fix it emits.
import type { Fix, FixSafety, Range, RelatedLocation, Severity } from '../engine/types';
import type { HbaAnalysis } from '../engine/hba';
import type { ConfAnalysis } from '../engine/conf';
import type { SqlAnalysis } from '../engine/sql';
import type { SchemaModel } from '../engine/sql/model';
import type { EngineConfig } from '../engine/config';

export interface RuleDocs {
  /** One line: what the rule flags. */
  summary: string;
  /** Why it matters: the attack or the failure it prevents. */
  why: string;
  /** A file that triggers the rule (tests assert that it does). */
  bad: string;
  /** The same intent done right (tests assert silence). */
  good: string;
  /** For manual fixes: why applying them blindly would be unsafe. */
  fixNotes?: string;
  /** A second file the rule reads (the postgresql.conf beside a pg_hba.conf), for the bad and the good example. */
  companion?: { file: string; bad: string; good: string };
  references: { title: string; url: string }[];
}

export interface Report {
  /** Absolute path of the file the finding is in (records can come from included files). */
  file: string;
  range: Range;
  message: string;
  /** Overrides the rule's default severity for this finding. */
  severity?: Severity;
  fixes?: Fix[];
  pgError?: string;
  pgLine?: number;
  related?: RelatedLocation[];
}

export interface HbaContext {
  analysis: HbaAnalysis;
  pgVersion: number;
  /** True for a main pg_hba.conf, false for a fragment pulled in by include or opened on its own. */
  isMainFile: boolean;
  /** The postgresql.conf beside the pg_hba.conf, when there is one: some records depend on its settings. */
  serverConf?: ConfAnalysis;
}

export interface ConfContext {
  analysis: ConfAnalysis;
  pgVersion: number;
}

interface RuleBase {
  id: string;
  severity: Severity;
  /** The strongest fix this rule can emit. */
  fix: FixSafety | 'none';
  docs: RuleDocs;
}

export interface HbaRule extends RuleBase {
  kind: 'hba';
  check(ctx: HbaContext, report: (r: Report) => void): void;
}

export interface ConfRule extends RuleBase {
  kind: 'conf';
  check(ctx: ConfContext, report: (r: Report) => void): void;
}

export interface SqlContext {
  analysis: SqlAnalysis;
  pgVersion: number;
  /** Every file of the migration history, in the order they run (the checked file among them). */
  history: SqlAnalysis[];
  /** The end state of the schema after the whole history. */
  model: SchemaModel;
  config: EngineConfig;
}

export interface SqlRule extends RuleBase {
  kind: 'sql';
  /**
   * Checked once for the whole history (its findings name their own files), rather than once per
   * file: for rules that read the schema model, whose facts span the files.
   */
  wholeHistory?: boolean;
  /**
   * The statement node types (and ERROR, for statements with an error) whose statements can change
   * this rule's findings; those that read the schema model include MODEL_READS. While a file is
   * edited, an edit that touches none of them keeps the rule's previous findings (carry-over.ts).
   * Absent: any edit runs the rule again.
   */
  reads?: readonly string[];
  check(ctx: SqlContext, report: (r: Report) => void): void;
}

export type Rule = HbaRule | ConfRule | SqlRule;
