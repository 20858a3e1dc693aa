import type { ConfRule } from './rule';
import { PG_SSL_DOCS, setValueFix } from './conf-helpers';

/** OpenSSL cipher-string words and name fragments that admit broken or unauthenticated suites. */
const WEAK_WORDS = ['NULL', 'ANULL', 'ENULL', 'EXPORT', 'EXP', 'RC4', 'MD5', 'DES', '3DES', 'LOW'];
const WEAK_FRAGMENTS = ['NULL', 'EXP', 'RC4', 'MD5', 'DES-CBC', 'ADH', 'AECDH'];
export const STRONG_CIPHERS = 'HIGH:!aNULL:!eNULL:!MD5:!3DES:!RC4';

/** The weak parts an OpenSSL cipher list admits (elements not removed with ! or -). */
export function weakCipherParts(list: string): string[] {
  const elements = list.split(/[:, ]+/).filter(Boolean);
  const removed = new Set(elements.filter((e) => e.startsWith('!') || e.startsWith('-')).map((e) => e.slice(1).toUpperCase()));
  const weak: string[] = [];
  for (const e of elements) {
    if (e.startsWith('!') || e.startsWith('-') || e.startsWith('+')) continue;
    for (const part of e.split('+')) {
      const up = part.toUpperCase();
      const isWeak = WEAK_WORDS.includes(up) || (!/^[A-Z0-9]+$/.test(up) && WEAK_FRAGMENTS.some((f) => up.includes(f)));
      if (isWeak && !removed.has(up)) weak.push(part);
      if ((up === 'ALL' || up === 'COMPLEMENTOFALL' || up === 'COMPLEMENTOFDEFAULT') && !removed.has('ANULL')) weak.push(`${part} without !aNULL`);
    }
  }
  return [...new Set(weak)];
}

export const confSslWeakCiphers: ConfRule = {
  id: 'conf-ssl-weak-ciphers',
  kind: 'conf',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: 'ssl_ciphers admitting NULL, aNULL, eNULL, EXPORT, RC4, MD5, DES, 3DES or LOW suites, or ALL without !aNULL.',
    why:
      'These suites offer no encryption, no authentication of the server, or encryption broken in practice: a client ' +
      'or an attacker in the middle can negotiate them, and TLS then protects nothing.',
    bad: "ssl_ciphers = 'ALL:RC4'\n",
    good: `ssl_ciphers = '${STRONG_CIPHERS}'\n`,
    fixNotes: 'A stricter list can lock out old clients that only speak the removed suites; test your clients.',
    references: [
      { title: 'PostgreSQL: SSL settings (ssl_ciphers)', url: 'https://www.postgresql.org/docs/current/runtime-config-connection.html#GUC-SSL-CIPHERS' },
      { title: 'OpenSSL: cipher list format', url: 'https://docs.openssl.org/master/man1/openssl-ciphers/' },
      { title: 'PostgreSQL: Secure TCP/IP Connections with SSL', url: PG_SSL_DOCS },
    ],
  },
  check({ analysis }, report) {
    const s = analysis.effective.get('ssl_ciphers');
    if (!s) return;
    const weak = weakCipherParts(s.value);
    if (weak.length === 0) return;
    report({
      file: s.file,
      range: s.valueRange,
      message: `ssl_ciphers admits weak or unauthenticated suites (${weak.join(', ')}): an attacker in the middle can negotiate them. Exclude them.`,
      fixes: [setValueFix(s, `'${STRONG_CIPHERS}'`, `Use '${STRONG_CIPHERS}' (clients that only speak the removed suites lose access)`, 'manual')],
    });
  },
};
