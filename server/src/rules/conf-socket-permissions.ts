import type { ConfRule } from './rule';
import { PG_CONNECTION_DOCS, setValueFix } from './conf-helpers';

/** strtol with base 0, as parse_int reads integers: 0x hex, leading-0 octal, decimal. */
export function cInteger(text: string): number | undefined {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (/^0[0-7]*$/.test(t)) return parseInt(t, 8);
  if (/^[+-]?[1-9][0-9]*$/.test(t)) return parseInt(t, 10);
  return undefined;
}

export const confSocketPermissions: ConfRule = {
  id: 'conf-socket-permissions',
  kind: 'conf',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'unix_socket_permissions that let every local user reach the socket (for example 0777).',
    why:
      'With access for "others", every account on the machine (a compromised web process, say) can connect over the ' +
      'Unix socket, where pg_hba.conf often has its most trusting records (peer, trust).',
    bad: 'unix_socket_permissions = 0777\n',
    good: 'unix_socket_permissions = 0770\nunix_socket_group = \'postgres\'\n',
    fixNotes: 'Local users outside the socket\'s group can no longer connect over the socket: add them to unix_socket_group.',
    references: [{ title: 'PostgreSQL: unix_socket_permissions', url: `${PG_CONNECTION_DOCS}#GUC-UNIX-SOCKET-PERMISSIONS` }],
  },
  check({ analysis }, report) {
    const s = analysis.effective.get('unix_socket_permissions');
    const mode = s ? cInteger(s.value) : undefined;
    if (!s || mode === undefined || (mode & 0o007) === 0) return;
    report({
      file: s.file,
      range: s.valueRange,
      message: `unix_socket_permissions ${s.rawValue} lets every local user connect through the socket. Use 0770 and a unix_socket_group.`,
      fixes: [setValueFix(s, '0770', 'Restrict the socket to the owner and its group (0770; others lose access)', 'manual')],
    });
  },
};
