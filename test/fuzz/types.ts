// Shared types of the fuzzer: what a case is (as sent to a runner process), what a finding is.
import * as os from 'os';
import * as path from 'path';

/** The temporary folders a runner process writes (CLI cases, template overlays); removed when it ends. */
export function runnerTempDirs(pid: number): { cli: string; templates: string } {
  return {
    cli: path.join(os.tmpdir(), `lakehouse-fuzz-${pid}`),
    templates: path.join(os.tmpdir(), `lakehouse-fuzz-templates-${pid}`),
  };
}

export type TargetName = 'metadata' | 'incremental' | 'adf' | 'cli' | 'templates' | 'template-parser';

export const TARGETS: readonly TargetName[] = ['metadata', 'incremental', 'adf', 'cli', 'templates', 'template-parser'];

/**
 * The kinds of findings, each counted separately:
 *  - crash: an exception escaping the core (or the CLI ending with "internal error", or the
 *    runner process dying);
 *  - hang: a case over the time limit (2 s; for template renders, 2 s past the renderer's own limit);
 *  - range: a diagnostic (or template error) position outside its file, or in a file that is
 *    not one of the project's;
 *  - incremental: reparseIncrementally disagreeing with a full parse (or a warm session with a
 *    fresh one);
 *  - template: the template worker dying, a render failing other than with a RenderResult, or a
 *    RenderResult error saying "internal error".
 */
export type FindingKind = 'crash' | 'hang' | 'range' | 'incremental' | 'template';

export const FINDING_KINDS: readonly FindingKind[] = ['crash', 'hang', 'range', 'incremental', 'template'];

export interface Finding {
  kind: FindingKind;
  /** What makes two findings the same bug (kind, target, step, error, top stack frame…). */
  signature: string;
  /** One line for the summary. */
  message: string;
  /** Stack trace, the diagnostic, the differing values… */
  detail?: string;
}

/** File contents: text, or bytes (binary or non-UTF-8 files). */
export type FileContent = string | Uint8Array;

/** A project as files relative to its folder. */
export type ProjectFiles = Record<string, FileContent>;

export interface MetadataInput {
  target: 'metadata';
  files: ProjectFiles;
}

export interface AdfInput {
  target: 'adf';
  files: ProjectFiles;
  /** The Data Factory folder, relative to the project. */
  adfRoot: string;
  /** Also check the folder on its own (ADF-only mode, as for a workspace without lakehouse.yaml). */
  adfOnly: boolean;
}

export interface TextEdit {
  /** Offset in the text (already reduced modulo its length + 1). */
  at: number;
  deleteCount: number;
  insert: string;
}

export interface IncrementalInput {
  target: 'incremental';
  /** The other files of the project (the edited file's text is `text`). */
  files: ProjectFiles;
  file: string;
  kind: 'root' | 'fragment';
  /** The document before the edits (valid YAML in every generated case). */
  text: string;
  edits: TextEdit[];
}

export interface CliInput {
  target: 'cli';
  files: ProjectFiles;
}

export interface TemplatesInput {
  target: 'templates';
  /** The template rendered; through a file (main.j2) or as text. */
  main: string;
  mode: 'text' | 'file';
  /** Other templates it may include or import, by name (inc0.j2…). */
  snippets: Record<string, string>;
  /** The context: plain JSON data, or Python-JSON text (NaN, big ints, 2.0). */
  context?: Record<string, unknown>;
  contextJson?: string;
}

export interface TemplateParserInput {
  target: 'template-parser';
  text: string;
}

export type CaseInput = MetadataInput | AdfInput | IncrementalInput | CliInput | TemplatesInput | TemplateParserInput;

export interface CaseResult {
  findings: Finding[];
  /** Time the case took in the runner. */
  elapsedMs: number;
  /** CPU time the runner process used for the case (all its threads). */
  cpuMs: number;
  /** Things worth counting that are not findings (e.g. 'render-timeout', 'incremental-compared'). */
  notes: string[];
}

/** Runner protocol (parent → runner). */
export interface RunMessage {
  id: number;
  input: CaseInput;
  options: RunnerOptions;
}

export interface RunnerOptions {
  /** The template renderer's time limit (the editor's default is 5000 ms). */
  renderTimeoutMs: number;
}

/** Runner protocol (runner → parent). */
export type RunnerMessage =
  { type: 'ready' } | { type: 'stage'; id: number; stage: string } | { type: 'result'; id: number; result: CaseResult };
