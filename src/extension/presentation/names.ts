// How the extension names things to the user: preview tabs, status bar, summaries. No `vscode`
// import: this is the extension's logic that needs no host, tested in plain Node.
import * as path from 'path';

/** What a render job renders for, as a user reads it: "table dbo.DimUser", "dimension dim_user", "project". */
export function bindingLabel(binding: { kind: string; name?: string }): string {
  return binding.name ? `${binding.kind} ${binding.name}` : binding.kind;
}

/** A file name part of a URI path: no separators, no control characters, not too long. */
export function safeTitlePart(text: string, max = 60): string {
  // eslint-disable-next-line no-control-regex -- control characters are removed from titles
  const clean = text.replace(/[\\/\u0000-\u001f\u007f]+/g, '_').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/**
 * A preview tab's name: the output's name, then what it is (template, binding, environment), then
 * the output's extension, so it is highlighted as the output's language and never looks like the
 * real file: "dim_user (dimension.py.j2 · dimension dim_user · dev).py".
 */
export function templatePreviewFileName(job: {
  outputFile: string;
  templateFile: string;
  binding: { kind: string; name?: string };
  environment: string;
}): string {
  const ext = path.extname(job.outputFile);
  const stem = path.basename(job.outputFile, ext);
  const parts = [path.basename(job.templateFile), bindingLabel(job.binding), job.environment].map(p =>
    safeTitlePart(p),
  );
  return `${safeTitlePart(stem)} (${parts.join(' · ')})${ext}`;
}

/** An embedded template's preview: "star_join.star_join_query (embedded).sql". */
export function embeddedPreviewFileName(notebook: string, templateName: string): string {
  return `${safeTitlePart(path.basename(notebook, path.extname(notebook)))}.${safeTitlePart(templateName || 'template')} (embedded).sql`;
}

/** A generated ADF artifact's preview: "pl_ingest (generated · dev).json" ("table dbo.X (generated · dev).json"). */
export function adfPreviewFileName(name: string, environment: string | undefined): string {
  return `${safeTitlePart(name)} (generated${environment ? ` · ${safeTitlePart(environment)}` : ''}).json`;
}

export function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** What the status bar says about a project: its environment, its problems and what is out of date. */
export interface ProjectStatus {
  project: string;
  environment?: string;
  protected?: boolean;
  errors: number;
  warnings: number;
  /** Generated ADF artifacts that differ from the folder (undefined: not known yet). */
  outOfDate?: number;
  /** The model shown is the last one that parsed: a file has a syntax error. */
  stale?: boolean;
  /** The Azure account operations use, once signed in (never shown for the local emulator). */
  account?: string;
}

export function statusBarText(s: ProjectStatus): string {
  const env = s.environment ? `$(server-environment) ${s.environment}${s.protected ? ' $(lock)' : ''}` : '';
  const problems = s.errors || s.warnings ? ` $(error) ${s.errors} $(warning) ${s.warnings}` : ' $(check)';
  const outOfDate = s.outOfDate ? ` $(sync) ${s.outOfDate}` : '';
  const stale = s.stale ? ' $(history)' : '';
  const account = s.account ? ` $(account) ${s.account}` : '';
  return `${env || '$(server-environment) no environment'}${problems}${outOfDate}${stale}${account}`;
}

export function statusBarTooltip(s: ProjectStatus): string {
  const lines = [
    `**${s.project}**`,
    s.environment
      ? `Environment: **${s.environment}**${s.protected ? ' (protected: writing for it asks first)' : ''} — click to change`
      : 'No environment declared in lakehouse.yaml',
    `Problems: ${plural(s.errors, 'error')}, ${plural(s.warnings, 'warning')}`,
  ];
  if (s.outOfDate !== undefined)
    lines.push(
      s.outOfDate
        ? `${plural(s.outOfDate, 'generated ADF artifact')} out of date (Generate ADF Artifacts)`
        : 'Generated ADF artifacts are up to date',
    );
  if (s.stale) lines.push('A metadata file does not parse: the views show its last good version.');
  if (s.account) lines.push(`Azure account: ${s.account}`);
  return lines.join('\n\n');
}
