import type { ConfRule } from './rule';
import { PG_SSL_DOCS, setValueFix } from './conf-helpers';

const WEAK = new Set(['', 'tlsv1', 'tlsv1.1']);

export const confSslMinProtocol: ConfRule = {
  id: 'conf-ssl-min-protocol',
  kind: 'conf',
  severity: 'warning',
  fix: 'safe',
  docs: {
    summary: 'ssl_min_protocol_version below TLSv1.2.',
    why:
      'TLS 1.0 and 1.1 are deprecated (RFC 8996) and open to downgrade attacks. PostgreSQL has required TLSv1.2 by ' +
      'default since version 13; a lower floor only helps attackers and ancient clients.',
    bad: "ssl_min_protocol_version = 'TLSv1'\n",
    good: "ssl_min_protocol_version = 'TLSv1.2'\n",
    references: [
      { title: 'PostgreSQL: SSL settings (ssl_min_protocol_version)', url: 'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SSL-MIN-PROTOCOL-VERSION' },
      { title: 'RFC 8996: Deprecating TLS 1.0 and TLS 1.1', url: 'https://www.rfc-editor.org/rfc/rfc8996' },
      { title: 'PostgreSQL: Secure TCP/IP Connections with SSL', url: PG_SSL_DOCS },
    ],
  },
  check({ analysis }, report) {
    const s = analysis.effective.get('ssl_min_protocol_version');
    if (!s || !WEAK.has(s.value.toLowerCase())) return;
    report({
      file: s.file,
      range: s.valueRange,
      message: `ssl_min_protocol_version ${s.rawValue} lets clients use TLS versions deprecated since 2021. Restore PostgreSQL's default, 'TLSv1.2'.`,
      fixes: [setValueFix(s, "'TLSv1.2'", "Require TLSv1.2 or newer (PostgreSQL's own default)", 'safe')],
    });
  },
};
