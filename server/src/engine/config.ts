// The project's settings: `.pg-hardening.json`, read the same way by the CLI and the language
// server (where VS Code settings may override it). Unknown keys and bad values are errors with a
// message, never ignored in silence: a typo in a rule id must not switch a check off unnoticed.
import * as path from 'node:path';
import type { FileSystem, Severity } from './types';
import { SUPPORTED_PG_VERSIONS } from './types';
import { DEFAULT_MAX_FILE_BYTES } from './node-fs';

export const CONFIG_FILE = '.pg-hardening.json';

export type RuleSetting = Severity | 'off';

export interface EngineConfig {
  /** The folder migration globs are relative to (the project's or the workspace folder). */
  root?: string;
  migrationGlobs: string[];
  tenantColumns: string[];
  /** Severity per rule id, or off. */
  rules: Record<string, RuleSetting>;
  /** Larger files are not read nor checked (one finding says so). */
  maxFileSize: number;
}

/** What a `.pg-hardening.json` may hold. */
export interface ProjectConfig {
  postgresVersion?: number;
  rules?: Record<string, RuleSetting>;
  migrations?: { globs?: string[] };
  tenantColumns?: string[];
  maxFileSize?: number;
}

export const DEFAULT_MIGRATION_GLOBS = [
  '**/{migrations,migrate,migration,db,deploy,sql}/*.sql',
  // Prisma: prisma/migrations/<timestamp>_<name>/migration.sql
  '**/migrations/*/migration.sql',
  // Flyway: V<version>__<description>.sql, R__<description>.sql, wherever they live.
  '**/V[0-9]*__*.sql',
  '**/R__*.sql',
];

export const DEFAULT_TENANT_COLUMNS = ['tenant_id', 'org_id', 'organization_id', 'account_id', 'workspace_id'];

export const DEFAULT_CONFIG: EngineConfig = {
  migrationGlobs: DEFAULT_MIGRATION_GLOBS,
  tenantColumns: DEFAULT_TENANT_COLUMNS,
  rules: {},
  maxFileSize: DEFAULT_MAX_FILE_BYTES,
};

const RULE_SETTINGS: readonly string[] = ['error', 'warning', 'information', 'hint', 'off'];

/** The nearest `.pg-hardening.json` in `dir` or above it, stopping at `stop` when given. */
export function findProjectConfig(dir: string, fs: FileSystem, stop?: string): string | undefined {
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const candidate = path.join(d, CONFIG_FILE);
    if (typeof fs.readFile(candidate) === 'string') return candidate;
    if (d === path.dirname(d) || (stop !== undefined && d === path.resolve(stop))) return undefined;
  }
}

/** Parses and validates a `.pg-hardening.json`; `errors` name each problem with its JSON path. */
export function parseProjectConfig(text: string, ruleIds: readonly string[]): { config: ProjectConfig; errors: string[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return { config: {}, errors: [`not valid JSON: ${(e as Error).message}`] };
  }
  const errors: string[] = [];
  const config: ProjectConfig = {};
  if (!isObject(raw)) return { config, errors: ['the file must hold a JSON object'] };
  for (const [key, value] of Object.entries(raw)) {
    switch (key) {
      case '$schema':
        break;
      case 'postgresVersion':
        if ((SUPPORTED_PG_VERSIONS as readonly unknown[]).includes(value)) config.postgresVersion = value as number;
        else errors.push(`postgresVersion: must be one of ${SUPPORTED_PG_VERSIONS.join(', ')}`);
        break;
      case 'rules':
        if (!isObject(value)) {
          errors.push('rules: must be an object of rule id to severity');
          break;
        }
        config.rules = {};
        for (const [id, setting] of Object.entries(value)) {
          if (!ruleIds.includes(id)) errors.push(`rules.${id}: no such rule`);
          else if (typeof setting !== 'string' || !RULE_SETTINGS.includes(setting))
            errors.push(`rules.${id}: must be one of ${RULE_SETTINGS.join(', ')}`);
          else config.rules[id] = setting as RuleSetting;
        }
        break;
      case 'migrations':
        if (!isObject(value) || Object.keys(value).some((k) => k !== 'globs')) errors.push('migrations: must be an object with "globs"');
        else if (value.globs !== undefined) {
          const globs = stringList(value.globs, 'migrations.globs', errors);
          if (globs) config.migrations = { globs };
        }
        break;
      case 'maxFileSize':
        if (Number.isInteger(value) && (value as number) >= 1024) config.maxFileSize = value as number;
        else errors.push('maxFileSize: must be a whole number of bytes, at least 1024');
        break;
      case 'tenantColumns': {
        const columns = stringList(value, 'tenantColumns', errors);
        if (columns) config.tenantColumns = columns;
        break;
      }
      default:
        errors.push(`${key}: unknown setting (known: postgresVersion, rules, migrations, tenantColumns, maxFileSize)`);
    }
  }
  return { config, errors };
}

/** The engine's settings: the project file's, then each override on top (later wins; empty lists keep the default). */
export function engineConfig(root: string | undefined, ...layers: ProjectConfig[]): EngineConfig {
  const config: EngineConfig = { ...DEFAULT_CONFIG, root, rules: {} };
  for (const layer of layers) {
    if (layer.migrations?.globs?.length) config.migrationGlobs = layer.migrations.globs;
    if (layer.tenantColumns?.length) config.tenantColumns = layer.tenantColumns;
    Object.assign(config.rules, layer.rules);
    if (layer.maxFileSize) config.maxFileSize = layer.maxFileSize;
  }
  return config;
}

function stringList(value: unknown, where: string, errors: string[]): string[] | undefined {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' && v.length > 0)) return value as string[];
  errors.push(`${where}: must be a list of non-empty strings`);
  return undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The `.pg-hardening.json` that governs files in `dir` (searched upward, not above `stop`), parsed. */
export function loadProjectConfig(
  dir: string,
  fs: FileSystem,
  ruleIds: readonly string[],
  stop?: string,
): { file?: string; config: ProjectConfig; errors: string[] } {
  const file = findProjectConfig(dir, fs, stop);
  if (!file) return { config: {}, errors: [] };
  const text = fs.readFile(file);
  if (typeof text !== 'string') return { file, config: {}, errors: [`cannot read it (${text.code})`] };
  return { file, ...parseProjectConfig(text, ruleIds) };
}
