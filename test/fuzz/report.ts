// What a campaign prints and writes: the counts per target, and one file per distinct finding
// with its minimal reproduction (readable, then exact as JSON for --replay).
import * as fs from 'fs';
import * as path from 'path';
import type { FindingRecord, FuzzReport } from './campaign';
import { corpusOrigins } from './corpus';
import { FINDING_KINDS, TARGETS, type CaseInput, type FindingKind } from './types';

export const KIND_FILE_NAMES: Record<FindingKind, string> = {
  crash: 'crash',
  hang: 'hang',
  range: 'out-of-range',
  incremental: 'incremental',
  template: 'template',
};
const KIND_TITLES: Record<FindingKind, string> = {
  crash: 'crashes',
  hang: 'hangs',
  range: 'out-of-range',
  incremental: 'incremental',
  template: 'template',
};

export const REPLAY_MARKER = '--- exact input (JSON; npm run fuzz -- --replay=THIS_FILE) ---';

/** Long runs of a repeated unit written once with their count, and invisible characters made visible. */
export function readable(text: string, max = 6000): string {
  let out = text.replace(
    /([\s\S]{1,16}?)\1{15,}/g,
    (run: string, unit: string) => `⟪${JSON.stringify(unit)} × ${run.length / unit.length}⟫`,
  );
  out = out.replace(
    // eslint-disable-next-line no-control-regex -- making control characters visible is the point
    /[\u0000-\u0008\u000b-\u001f\u007f\u0085\u00a0\u2028\u2029\u200b\u202e\ufeff\t]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g,
    c =>
      c === '\t' ? '⟨TAB⟩' : c === '\r' ? '⟨CR⟩' : `⟨U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}⟩`,
  );
  return out.length > max
    ? `${out.slice(0, max)}\n… (${out.length - max} more characters; the exact input is below)`
    : out;
}

function describeFiles(files: Record<string, string | Uint8Array>, origins: Map<string, string>): string {
  const parts: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    if (typeof content !== 'string') {
      parts.push(
        `=== ${name}: ${content.byteLength} bytes, not UTF-8 text (base64): ${Buffer.from(content).toString('base64').slice(0, 400)}`,
      );
      continue;
    }
    const origin = origins.get(content);
    if (origin) parts.push(`=== ${name}: unchanged from ${origin}`);
    else parts.push(`=== ${name} (${content.length} characters)\n${readable(content)}`);
  }
  return parts.join('\n');
}

export function describeInput(input: CaseInput): string {
  const origins = corpusOrigins();
  switch (input.target) {
    case 'metadata':
    case 'cli':
      return describeFiles(input.files, origins);
    case 'adf':
      return `(the Data Factory folder is ${input.adfRoot}/${input.adfOnly ? ', also checked on its own' : ''})\n${describeFiles(input.files, origins)}`;
    case 'incremental': {
      const lines = [
        `${input.file} (${input.kind}), before the edits: ` +
          `${origins.get(input.text) ? `unchanged from ${origins.get(input.text)}` : `\n${readable(input.text)}`}`,
      ];
      if (Object.keys(input.files).length) lines.push(`other files:\n${describeFiles(input.files, origins)}`);
      let text = input.text;
      let lastLine = 0;
      input.edits.forEach((e, i) => {
        const at = e.at % (text.length + 1);
        const before = text.slice(0, at).split(/\r\n|\r|\n/);
        lastLine = before.length - 1;
        lines.push(
          `edit ${i + 1}: at offset ${at} (line ${lastLine}, character ` +
            `${(before[lastLine] ?? '').length}) delete ` +
            `${JSON.stringify(text.slice(at, at + e.deleteCount))}, insert ${JSON.stringify(e.insert)}`,
        );
        text = text.slice(0, at) + e.insert + text.slice(at + e.deleteCount);
      });
      lines.push(`line ${lastLine} after the last edit: ${JSON.stringify(text.split(/\r\n|\r|\n/)[lastLine] ?? '')}`);
      return lines.join('\n');
    }
    case 'templates': {
      const parts = [
        `rendered ${input.mode === 'file' ? 'as the file main.j2' : 'as a string'} through WorkerRenderer`,
        `=== main.j2\n${readable(input.main)}`,
      ];
      for (const [name, text] of Object.entries(input.snippets)) parts.push(`=== ${name}\n${readable(text)}`);
      parts.push(`=== context: ${input.contextJson ?? JSON.stringify(input.context)}`);
      return parts.join('\n');
    }
    case 'template-parser':
      return `tokenize() and parseTemplate() of (${input.text.length} characters):\n${readable(input.text)}`;
  }
}

export function serializeInput(input: CaseInput): string {
  return JSON.stringify(input, (_k, v: unknown) =>
    v instanceof Uint8Array ? { $bytes: Buffer.from(v).toString('base64') } : v,
  );
}

export function parseInput(json: string): CaseInput {
  return JSON.parse(json, (_k, v: unknown) =>
    v && typeof v === 'object' && typeof (v as { $bytes?: unknown }).$bytes === 'string'
      ? new Uint8Array(Buffer.from((v as { $bytes: string }).$bytes, 'base64'))
      : v,
  ) as CaseInput;
}

/** The input of a reproduction file written by writeFindings. */
export function readReproduction(file: string): CaseInput {
  const text = fs.readFileSync(file, 'utf8');
  const at = text.indexOf(REPLAY_MARKER);
  if (at < 0) throw new Error(`${file} is not a fuzz reproduction (no "${REPLAY_MARKER}")`);
  return parseInput(text.slice(at + REPLAY_MARKER.length).trim());
}

function findingText(record: FindingRecord, file: string, report: FuzzReport): string {
  const m = record.minimal;
  const input = m?.input ?? record.first.input;
  const cases = report.stats[record.target]?.cases ?? 0;
  const replayed = m?.reproducedOnReplay
    ? `fast-check replayed it and shrank it in ${m.shrinks} step(s)`
    : 'did not reproduce on replay (flaky?): the first case as it was';
  const lines = [
    `Lakehouse Workbench fuzz finding: ${record.kind}`,
    `target:     ${record.target}`,
    `signature:  ${record.signature}`,
    `message:    ${m?.finding.message ?? record.message}`,
    `found in:   ${record.cases} of ${cases} ${record.target} case(s); ` +
      `${record.first.fromExample ? 'first by a known-hostile seed' : 'first by random generation'}` +
      `, by random generation in ${record.randomCases} case(s)`,
    `first case: seed ${record.first.seed}, path "${record.first.path}" (campaign seed ${report.seed})`,
    `minimal:    ${m ? `${replayed}, then ${m.reduced} line(s)/file(s) removed` : 'not shrunk (the first case as it was)'}`,
    `replay:     npm run fuzz -- --replay=${file}`,
    '',
    '--- details ---',
    m?.finding.detail ?? record.detail ?? '(none)',
    '',
    '--- minimal reproduction ---',
    describeInput(input),
    '',
    REPLAY_MARKER,
    serializeInput(input),
    '',
  ];
  return lines.join('\n');
}

/** Writes <kind>-<n>.txt per distinct finding into outDir (emptied of earlier findings first). */
export function writeFindings(report: FuzzReport, outDir: string): Map<FindingRecord, string> {
  fs.mkdirSync(outDir, { recursive: true });
  for (const f of fs.readdirSync(outDir)) if (/^[a-z-]+-\d+\.txt$/.test(f)) fs.rmSync(path.join(outDir, f));
  const counters = new Map<FindingKind, number>();
  const files = new Map<FindingRecord, string>();
  for (const record of report.findings) {
    const n = (counters.get(record.kind) ?? 0) + 1;
    counters.set(record.kind, n);
    const file = path.join(outDir, `${KIND_FILE_NAMES[record.kind]}-${n}.txt`);
    const shown = path.relative(process.cwd(), file) || file;
    fs.writeFileSync(file, findingText(record, shown, report));
    files.set(record, shown);
  }
  return files;
}

/** The table of counts per target, and the total. */
export function summaryTable(report: FuzzReport): string {
  const header = ['target', 'cases', ...FINDING_KINDS.map(k => KIND_TITLES[k]), 'wall s/1000', 'runner s/1000'];
  const rows: string[][] = [];
  const total = {
    cases: 0,
    counts: Object.fromEntries(FINDING_KINDS.map(k => [k, 0])) as Record<FindingKind, number>,
    wall: 0,
    busy: 0,
  };
  for (const t of TARGETS) {
    const s = report.stats[t];
    if (!s) continue;
    total.cases += s.cases;
    total.wall += s.wallMs;
    total.busy += s.busyMs;
    for (const k of FINDING_KINDS) total.counts[k] += s.counts[k];
    rows.push([
      t,
      String(s.cases),
      ...FINDING_KINDS.map(k => String(s.counts[k])),
      per1000(s.wallMs, s.cases),
      per1000(s.busyMs, s.cases),
    ]);
  }
  rows.push([
    'total',
    String(total.cases),
    ...FINDING_KINDS.map(k => String(total.counts[k])),
    per1000(total.wall, total.cases),
    per1000(total.busy, total.cases),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map(r => (r[i] ?? '').length)));
  const fmt = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    fmt(header),
    fmt(widths.map(w => '-'.repeat(w))),
    ...rows.slice(0, -1).map(fmt),
    fmt(widths.map(w => '-'.repeat(w))),
    fmt(rows[rows.length - 1]!),
  ].join('\n');
}

function per1000(ms: number, cases: number): string {
  return cases ? (ms / cases).toFixed(1) : '-';
}

export function totalFindings(report: FuzzReport): number {
  let n = 0;
  for (const s of Object.values(report.stats)) if (s) for (const k of FINDING_KINDS) n += s.counts[k];
  return n;
}

/** The finding list: one line per distinct finding. */
export function findingList(report: FuzzReport, files?: Map<FindingRecord, string>): string {
  return report.findings
    .map(
      (r, i) =>
        `${i + 1}. [${r.kind}, ${r.target}, ${r.cases} ` +
        `case(s)${r.randomCases ? `, ${r.randomCases} random` : ', known-hostile seed only'}] ` +
        `${(r.minimal?.finding.message ?? r.message).slice(0, 400)}${files?.get(r) ? `\n   → ${files.get(r)}` : ''}`,
    )
    .join('\n');
}
