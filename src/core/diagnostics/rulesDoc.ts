import { ALL_RULES } from './rules';

/** docs/rules.md: every rule with its code, default severity and rationale. */
export function renderRulesMarkdown(): string {
  const lines = [
    '# Diagnostics reference',
    '',
    'Every problem Lakehouse Workbench reports has a stable code. The editor shows the code next to',
    'the message; `lakehouse validate --format json` reports it in `code`. This file is generated from',
    '`src/core/diagnostics/rules.ts` (`lakehouse rules > docs/rules.md`); a test keeps the two in step.',
    '',
    '| Code | Name | Severity | Why it matters |',
    '| --- | --- | --- | --- |',
  ];
  for (const rule of ALL_RULES) {
    lines.push(`| ${rule.code} | \`${rule.name}\` | ${rule.severity} | ${rule.rationale.replace(/\|/g, '\\|')} |`);
  }
  lines.push('');
  return lines.join('\n');
}
