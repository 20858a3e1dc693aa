import type { ConfRule } from './rule';
import { PG_LOGGING_DOCS, reportParam, setParamFix } from './conf-helpers';
import { parseBool } from '../engine/conf/values';

/** log_connections and log_disconnections: off, empty (18's list form) or unset means no audit trail. */
export function loggingRule(name: 'log_connections' | 'log_disconnections', what: string): ConfRule {
  return {
    id: name === 'log_connections' ? 'conf-log-connections' : 'conf-log-disconnections',
    kind: 'conf',
    severity: 'warning',
    fix: 'safe',
    docs: {
      summary: `${name} off or unset: ${what} leave no trace in the server log.`,
      why:
        `Without ${name}, ${what} are not logged: after an intrusion there is no record of who connected, from where, ` +
        'or for how long. CIS and most audit regimes require it.',
      bad: `${name} = off\n`,
      good: `${name} = on\n`,
      references: [
        { title: `PostgreSQL: ${name}`, url: `${PG_LOGGING_DOCS}#GUC-${name.toUpperCase().replace(/_/g, '-')}` },
        { title: 'CIS PostgreSQL Benchmark: logging', url: 'https://www.cisecurity.org/benchmark/postgresql' },
      ],
    },
    check(ctx, report) {
      reportParam(
        ctx,
        report,
        name,
        (s) => !s || s.value.trim() === '' || parseBool(s.value, ctx.pgVersion, name) === false,
        (s) => ({
          message: `${name} is ${s ? `${s.rawValue}` : 'not set (off)'}: ${what} are not logged, so there is no trail to audit. Turn it on.`,
          fixes: [setParamFix(ctx.analysis, name, 'on', `Log ${what} (${name} = on)`, 'safe')!],
        }),
      );
    },
  };
}

export const confLogConnections = loggingRule('log_connections', 'connection attempts');
