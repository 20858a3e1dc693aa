import type { ConfRule } from './rule';
import type { ConfAnalysis } from '../engine/conf';
import { appendSettingFix, confString, listItems, setValueFix, unsetRange } from './conf-helpers';
import type { Fix } from '../engine/types';

const PGAUDIT_DOCS = 'https://github.com/pgaudit/pgaudit/blob/main/README.md';

export const isPreloaded = (a: ConfAnalysis, library: string) => {
  const s = a.effective.get('shared_preload_libraries');
  return s ? listItems(s.value).some((l) => l.toLowerCase() === library) : false;
};

function preloadFix(a: ConfAnalysis): Fix {
  const title =
    'Preload pgaudit (restart needed; the server will not start unless the pgaudit extension is installed)';
  const s = a.effective.get('shared_preload_libraries');
  if (!s) return appendSettingFix(a, 'shared_preload_libraries', "'pgaudit'", title, 'manual');
  const items = listItems(s.value);
  return setValueFix(s, confString([...items, 'pgaudit'].join(',')), title, 'manual');
}

export const confPgaudit: ConfRule = {
  id: 'conf-pgaudit',
  kind: 'conf',
  severity: 'hint',
  fix: 'manual',
  docs: {
    summary: 'pgaudit is not in shared_preload_libraries (a hint), or pgaudit.* settings while it is not (an error: they do nothing).',
    why:
      'pgaudit writes the session and object audit log that most compliance regimes ask for. Its settings are ' +
      'accepted as placeholders even when the library is not loaded, so a configured audit can be silently off.',
    bad: "pgaudit.log = 'ddl, role'\n",
    good: "shared_preload_libraries = 'pgaudit'\npgaudit.log = 'ddl, role'\n",
    fixNotes:
      'Preloading a library needs a restart, and the server will not start if the pgaudit extension is not installed ' +
      '(packages such as postgresql-17-pgaudit); run CREATE EXTENSION pgaudit afterwards.',
    references: [
      { title: 'pgaudit README', url: PGAUDIT_DOCS },
      { title: 'PostgreSQL: shared_preload_libraries', url: 'https://www.postgresql.org/docs/current/runtime-config-client.html#GUC-SHARED-PRELOAD-LIBRARIES' },
    ],
  },
  check({ analysis }, report) {
    if (!analysis.isMain || isPreloaded(analysis, 'pgaudit')) return;
    const audit = analysis.settings.filter((s) => s.key.startsWith('pgaudit.'));
    for (const s of audit) {
      report({
        file: s.file,
        range: s.nameRange,
        severity: 'error',
        message: `${s.name} has no effect: pgaudit is not in shared_preload_libraries, so nothing is audited. Preload pgaudit.`,
        fixes: [preloadFix(analysis)],
      });
    }
    if (audit.length) return;
    const s = analysis.effective.get('shared_preload_libraries');
    report({
      file: s ? s.file : analysis.file,
      range: s ? s.range : unsetRange(analysis),
      message: 'pgaudit is not preloaded, so sessions and object access are not audited. Consider pgaudit.',
      fixes: [preloadFix(analysis)],
    });
  },
};
