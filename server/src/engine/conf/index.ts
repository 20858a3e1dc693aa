import * as path from 'node:path';
import type { CheckOptions } from '../types';
import { parseConf, type ConfError, type ConfSetting } from './parse';
import { lookupParam } from './catalog';

export interface ConfAnalysis {
  /** The file that was checked. */
  file: string;
  text: string;
  /** A main postgresql.conf: "unset" rules apply, and postgresql.auto.conf beside it is read too. */
  isMain: boolean;
  /** Every setting in the order PostgreSQL reads them, includes and postgresql.auto.conf spliced in. */
  settings: ConfSetting[];
  errors: ConfError[];
  /** The setting that takes effect for each (lower-case) name: the last one read. */
  effective: Map<string, ConfSetting>;
  /** Settings that a later one overrides, with the one that wins. */
  overridden: Map<ConfSetting, ConfSetting>;
  texts: Map<string, string>;
}

export const isMainConf = (file: string) => {
  const base = path.basename(file);
  return base === 'postgresql.conf' || base.endsWith('.postgresql.conf');
};

export function analyzeConf(file: string, text: string, opts: CheckOptions): ConfAnalysis {
  const isMain = isMainConf(file);
  const extra = isMain ? [path.join(path.dirname(file), 'postgresql.auto.conf')] : [];
  const { settings, errors, texts } = parseConf(file, text, opts.fs, extra, opts.pgVersion);
  // Old names (sort_mem) set the parameter they map to.
  for (const s of settings) s.key = lookupParam(s.name, opts.pgVersion)?.name.toLowerCase() ?? s.key;
  const effective = new Map<string, ConfSetting>();
  const overridden = new Map<ConfSetting, ConfSetting>();
  for (const s of settings) {
    const earlier = effective.get(s.key);
    if (earlier) overridden.set(earlier, s);
    effective.set(s.key, s);
  }
  // Everything an overridden setting was overridden by ends at the winner.
  for (const [s, by] of overridden) overridden.set(s, effective.get(by.key)!);
  return { file, text, isMain, settings, errors, effective, overridden, texts };
}
