import type { ConfRule } from './rule';
import { PG_CONNECTION_DOCS, listItems, setValueFix } from './conf-helpers';

const EVERYWHERE = new Set(['*', '0.0.0.0', '::']);

export const confListenAll: ConfRule = {
  id: 'conf-listen-all',
  kind: 'conf',
  severity: 'warning',
  fix: 'manual',
  docs: {
    summary: "listen_addresses that opens the server on every network interface ('*', '0.0.0.0' or '::').",
    why:
      'Listening everywhere puts the port on every network the machine touches, public ones included; pg_hba.conf is ' +
      'then the only gate. Listen on the interfaces clients use.',
    bad: "listen_addresses = '*'\n",
    good: "listen_addresses = 'localhost,10.20.0.5'\n",
    fixNotes: "'localhost' stops remote clients from connecting at all: list the addresses of the interfaces they use instead.",
    references: [{ title: 'PostgreSQL: Connection Settings (listen_addresses)', url: PG_CONNECTION_DOCS }],
  },
  check({ analysis }, report) {
    const s = analysis.effective.get('listen_addresses');
    if (!s || !listItems(s.value).some((a) => EVERYWHERE.has(a))) return;
    report({
      file: s.file,
      range: s.valueRange,
      message: 'The server listens on every network interface, so only pg_hba.conf stands between any network and the database. List the addresses clients use.',
      fixes: [setValueFix(s, "'localhost'", "Listen on localhost only (remote clients can no longer connect)", 'manual')],
    });
  },
};
