import type { HbaRule } from './rule';
import { PG_HBA_DOCS } from './hba-helpers';

export const hbaSyntax: HbaRule = {
  id: 'hba-syntax',
  kind: 'hba',
  severity: 'error',
  fix: 'none',
  docs: {
    summary: 'A line PostgreSQL refuses to load, with the message PostgreSQL itself gives.',
    why:
      'PostgreSQL parses every line of pg_hba.conf and rejects the whole file if any line is invalid: a server ' +
      'starting with it refuses to start, and a reload keeps the old rules, so the change you made silently does not apply.',
    bad: 'host all all 10.0.0.0/33 scram-sha-256\n',
    good: 'host all all 10.0.0.0/8 scram-sha-256\n',
    references: [{ title: 'PostgreSQL: The pg_hba.conf File', url: PG_HBA_DOCS }],
  },
  check({ analysis, isMainFile }, report) {
    for (const { line, error } of analysis.errors) {
      report({
        file: line.file,
        range: error.range,
        message: `${error.message}. PostgreSQL rejects the whole file because of this line: fix it, or the server will not start and a reload keeps the old rules.`,
        pgError: error.message,
        pgLine: line.line,
      });
    }
    if (isMainFile && analysis.records.length === 0 && analysis.errors.length === 0) {
      const message = `configuration file "${analysis.file}" contains no entries`;
      report({
        file: analysis.file,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        message: `${message}. A server with an empty pg_hba.conf does not start: add at least one record.`,
        pgError: message,
        pgLine: 0,
      });
    }
  },
};
