import type { CheckOptions } from '../types';
import { readAuthFile, type SourceLine } from './read';
import { parseRecord, isHbaError } from './parse-record';
import type { HbaError, HbaRecord } from './record';

export interface HbaAnalysis {
  /** The file that was checked; records may come from files it includes. */
  file: string;
  text: string;
  records: HbaRecord[];
  errors: { line: SourceLine; error: HbaError }[];
}

export function analyzeHba(file: string, text: string, opts: CheckOptions): HbaAnalysis {
  const records: HbaRecord[] = [];
  const errors: HbaAnalysis['errors'] = [];
  for (const line of readAuthFile(file, text, opts)) {
    if (line.error) {
      errors.push({ line, error: line.error });
      continue;
    }
    const r = parseRecord(line, opts.pgVersion);
    if (isHbaError(r)) errors.push({ line, error: r });
    else records.push(r);
  }
  return { file, text, records, errors };
}
