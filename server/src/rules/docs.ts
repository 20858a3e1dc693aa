// Renders a rule's documentation page from the rule module itself (docs/rules/<id>.md).
import type { Rule } from './rule';

const SEVERITY: Record<string, string> = { error: 'Error', warning: 'Warning', information: 'Information', hint: 'Hint' };
const FIX: Record<string, string> = {
  none: 'None',
  safe: 'Safe: applied by fix-all and `pg-harden fix`',
  manual: 'Manual: offered as a quick fix, never applied in bulk (`pg-harden fix --unsafe` applies those with a concrete edit)',
};

export function renderRuleDoc(rule: Rule): string {
  const d = rule.docs;
  const lang = rule.kind === 'hba' ? 'conf' : rule.kind === 'sql' ? 'sql' : 'ini';
  return [
    `# ${rule.id}`,
    '',
    `${d.summary}`,
    '',
    `- Default severity: ${SEVERITY[rule.severity]}`,
    `- Fix: ${FIX[rule.fix]}`,
    '',
    '## Why',
    '',
    d.why,
    '',
    '## Bad',
    '',
    '```' + lang,
    d.bad.trimEnd(),
    '```',
    ...(d.companion ? ['', `With this ${d.companion.file} beside it:`, '', '```ini', d.companion.bad.trimEnd(), '```'] : []),
    '',
    '## Good',
    '',
    '```' + lang,
    d.good.trimEnd(),
    '```',
    ...(d.companion ? ['', `With this ${d.companion.file} beside it:`, '', '```ini', d.companion.good.trimEnd(), '```'] : []),
    ...(d.fixNotes ? ['', '## About the fix', '', d.fixNotes] : []),
    '',
    '## References',
    '',
    ...d.references.map((r) => `- [${r.title}](${r.url})`),
    '',
  ].join('\n');
}

export function renderRuleIndex(rules: readonly Rule[]): string {
  return [
    '# Rules',
    '',
    '| id | severity | fix | what it flags |',
    '|---|---|---|---|',
    ...rules.map((r) => `| [${r.id}](${r.id}.md) | ${r.severity} | ${r.fix} | ${r.docs.summary} |`),
    '',
  ].join('\n');
}
