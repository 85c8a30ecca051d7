// What Generate ADF Artifacts tells the user before it writes. No `vscode` import: tested in plain Node.
import { plural } from './names';

export type FileStatus = 'create' | 'update' | 'conflict' | 'unchanged';

export function statusText(status: string): string {
  return status === 'create'
    ? 'not written yet'
    : status === 'update'
      ? 'out of date'
      : status === 'conflict'
        ? 'edited by hand'
        : 'up to date';
}

export interface ProjectGeneration {
  project: string;
  environment: string;
  protected: boolean;
  files: { file: string; status: FileStatus; conflict?: string }[];
}

export interface GenerationDescription {
  /** The question, naming the environments (and that one is protected). */
  message: string;
  /** One line per file that changes (at most 12, then how many more), then what overwriting hand edits means. */
  detail: string;
  /** The write button: "Write 3 Files", or "Overwrite 1 Hand Edit and Write 3 Files". */
  writeLabel: string;
  /** The protected environments among them. */
  protected: string[];
}

const MAX_LINES = 12;

export function describeGeneration(projects: readonly ProjectGeneration[]): GenerationDescription {
  const changes = projects.flatMap(p => p.files.filter(f => f.status !== 'unchanged').map(f => ({ ...f, p })));
  const conflicts = changes.filter(c => c.status === 'conflict');
  const count = (s: FileStatus) => changes.filter(c => c.status === s).length;
  const environments = [...new Set(projects.map(p => p.environment))];
  const protectedOnes = [...new Set(projects.filter(p => p.protected).map(p => p.environment))];
  const parts = [
    count('create') && `${count('create')} to create`,
    count('update') && `${count('update')} to update`,
    conflicts.length && `${conflicts.length} edited by hand`,
  ].filter(Boolean);
  const message =
    `Generate ADF artifacts for ${environments.length > 1 ? 'environments' : 'environment'} ` +
    `${environments.join(', ')}${protectedOnes.length ? ` (protected: ${protectedOnes.join(', ')})` : ''}? ` +
    `${parts.join(', ')}.`;
  const several = projects.length > 1;
  const lines = changes
    .slice(0, MAX_LINES)
    .map(
      c =>
        `${c.status === 'create' ? '+' : c.status === 'conflict' ? '!' : '~'} ${several ? `${c.p.project}: ` : ''}${c.file}`,
    );
  if (changes.length > MAX_LINES) lines.push(`…and ${changes.length - MAX_LINES} more`);
  if (conflicts.length) {
    lines.push(
      '',
      `! ${plural(conflicts.length, 'file')} changed outside Lakehouse Workbench in values the metadata owns ` +
        `(${conflicts[0]!.conflict ?? 'edited by hand'}${conflicts.length > 1 ? '; …' : ''}). Writing overwrites ` +
        `those edits: put such values in lakehouse.yaml (the adf section) to keep them.`,
    );
  }
  const unchanged = projects.reduce((n, p) => n + p.files.filter(f => f.status === 'unchanged').length, 0);
  if (unchanged) lines.push('', `${plural(unchanged, 'file')} up to date, not written.`);
  const files = plural(changes.length, 'File');
  const writeLabel = conflicts.length
    ? `Overwrite ${plural(conflicts.length, 'Hand Edit')} and Write ${files}`
    : `Write ${files}`;
  return { message, detail: lines.join('\n'), writeLabel, protected: protectedOnes };
}
