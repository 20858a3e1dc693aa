import type { ConfRule } from './rule';
import { PG_LOGGING_DOCS, confString, reportParam, setParamFix } from './conf-helpers';

const DEFAULT_PREFIX = '%m [%p] ';
export const AUDIT_PREFIX = '%m [%p] user=%u db=%d client=%h app=%a ';

/** What a prefix lacks of user (%u), database (%d) and client (%h or %r). */
export function missingFields(prefix: string): string[] {
  const has = (e: string) => new RegExp(`%[-0-9]*${e}`).test(prefix);
  return [!has('u') && 'user (%u)', !has('d') && 'database (%d)', !has('h') && !has('r') && 'client (%h or %r)'].filter(
    (x): x is string => Boolean(x),
  );
}

export const confLogLinePrefix: ConfRule = {
  id: 'conf-log-line-prefix',
  kind: 'conf',
  severity: 'hint',
  fix: 'manual',
  docs: {
    summary: 'log_line_prefix without the user, the database and the client address (%u, %d, %h or %r).',
    why:
      'A log line that does not say who, where and from which address cannot be attributed: the connection and ' +
      'statement logs are of little use in an investigation without them.',
    bad: "log_line_prefix = '%m [%p] '\n",
    good: `log_line_prefix = '${AUDIT_PREFIX}'\n`,
    fixNotes: 'Changing the prefix changes the format of every log line: log parsers and dashboards may need updating.',
    references: [{ title: 'PostgreSQL: log_line_prefix', url: `${PG_LOGGING_DOCS}#GUC-LOG-LINE-PREFIX` }],
  },
  check(ctx, report) {
    reportParam(
      ctx,
      report,
      'log_line_prefix',
      (s) => missingFields(s ? s.value : DEFAULT_PREFIX).length > 0,
      (s) => ({
        message: `${s ? `log_line_prefix ${s.rawValue}` : `log_line_prefix is not set, and its default '${DEFAULT_PREFIX}'`} lacks ${missingFields(s ? s.value : DEFAULT_PREFIX).join(', ')}: log lines cannot be attributed. Add them.`,
        fixes: [setParamFix(ctx.analysis, 'log_line_prefix', confString(AUDIT_PREFIX), `Use ${confString(AUDIT_PREFIX)} (changes the format of every log line)`, 'manual')!],
      }),
    );
  },
};
