// `lakehouse dry-run PIPELINE [DIR]`: runs a pipeline of the project's Data Factory (or of an ADF
// folder) without Azure: its control flow, every expression evaluated, external activities given
// the outcomes of --outputs (by default: succeeded, output unknown), and prints what it would do.
import { promises as fs } from 'fs';
import * as path from 'path';
import type { AdfFactory } from '../core/adf/adfFolder';
import { didYouMean } from '../core/text/suggest';
import { findAdfFolders, loadProjectAt, readAdfFolder, UserError } from '../core/project/loadProject';
import { findRootFile } from '../core/project/projectSession';
import { NodeFileHost } from '../core/files/nodeFileHost';
import {
  DryRunError,
  OutcomeFileError,
  dryRun,
  dryRunJson,
  factoryFromFolder,
  parseOutcomeFile,
  parseWindow,
  renderDryRunText,
  type OutcomeFile,
} from '../core/adf/run';
import { ALLOW_FOLDER_OPTION, allowedFolders, parse, UsageError } from './args';
import type { Io } from './main';

export const DRY_RUN_USAGE = `  dry-run PIPELINE [DIR] [--param NAME=VALUE]... [--window START/END] [--outputs FILE.json] [--format text|json]
                                           Run a pipeline of the project's Data Factory (paths.adf; or of
                                           the ADF folder DIR) without Azure: its control flow, with every
                                           expression evaluated, and print each activity run with the
                                           values it would use (SQL, notebook paths, URLs and bodies,
                                           dataset locations); unknown values show as ‹…›. --param sets a
                                           parameter (JSON for arrays and objects); --window backfills one
                                           window (trigger().outputs.windowStartTime/windowEndTime and the
                                           parameters the factory's tumbling window trigger passes).
                                           --outputs gives external activities' outcomes (default:
                                           Succeeded, output unknown):
                                             {"activities": {"read_watermark": {"output": {...}},
                                              "for_each_table[2]/copy_new_rows": {"status": "Failed",
                                                "error": {"message": "...", "errorCode": "2200"}},
                                              "for_each_table[table=DimUser]/max_watermark": {...},
                                              "poll": [{"output": ...}, {"output": ...}]},
                                              "triggerTime": "2024-01-02T02:00:00Z"}
                                           (a key is the activity, after the containers it is in: name,
                                           name[N] for iteration N, name[field=value] for the ForEach item;
                                           a list gives successive runs their outcomes in turn).
                                           Exit 0: the run succeeds; 1: it fails or an expression cannot be
                                           evaluated; 2: usage or I/O error.
`;

/** The factory of DIR: the project's ADF folder, or DIR as an ADF folder (or the one ADF folder under it). */
async function loadFactory(
  host: NodeFileHost,
  target: string,
  shown: string,
  options: { allowedFolders: string[] },
): Promise<AdfFactory> {
  const isYaml = /\.ya?ml$/i.test(target);
  if (isYaml || ((await host.readDirectory(target)) && (await findRootFile(host, target)))) {
    const snapshot = await loadProjectAt(host, target, shown, options);
    if (!snapshot.adf)
      throw new UserError(
        `The project in ${shown} has no Data Factory folder (paths.adf in lakehouse.yaml, or run lakehouse generate adf).`,
      );
    return snapshot.adf;
  }
  const direct = await readAdfFolder(host, target);
  if (direct.status === 'missing') throw new UserError(`${shown} does not exist or is not a folder.`);
  if (direct.status === 'ok') return direct.factory;
  const found = await findAdfFolders(host, target);
  if (found.length === 1) {
    const r = await readAdfFolder(host, found[0]!);
    if (r.status === 'ok') return r.factory;
  }
  if (found.length > 1)
    throw new UserError(
      `${shown} holds ${found.length} Data Factory folders; name one: ${found.map(f => path.relative(target, f) || '.').join(', ')}.`,
    );
  throw new UserError(`${shown} has no lakehouse.yaml and is not a Data Factory folder (pipeline/, dataset/, …).`);
}

export async function dryRunCommand(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    param: { type: 'string', short: 'p', multiple: true },
    window: { type: 'string' },
    outputs: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...ALLOW_FOLDER_OPTION,
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const [pipeline, dir, ...extra] = positionals;
  if (pipeline === undefined)
    throw new UsageError('dry-run needs the name of a pipeline: lakehouse dry-run PIPELINE [DIR].');
  if (extra.length) throw new UsageError('dry-run takes one pipeline and at most one folder.');
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const parameters: Record<string, string> = {};
  for (const p of (values.param as string[] | undefined) ?? []) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param takes NAME=VALUE, not '${p}'.`);
    parameters[p.slice(0, eq)] = p.slice(eq + 1);
  }
  let window: { start: string; end: string } | undefined;
  if (values.window !== undefined) {
    try {
      window = parseWindow(values.window as string);
    } catch (e) {
      if (e instanceof DryRunError) throw new UsageError(e.message);
      throw e;
    }
  }
  let outcomes: OutcomeFile | undefined;
  if (values.outputs !== undefined) {
    const file = path.resolve(io.cwd, values.outputs as string);
    let text: string;
    try {
      text = await fs.readFile(file, 'utf8');
    } catch (e) {
      throw new UserError(`--outputs ${values.outputs as string}: ${(e as Error).message}`);
    }
    try {
      outcomes = parseOutcomeFile(text);
    } catch (e) {
      if (e instanceof OutcomeFileError) throw new UserError(`--outputs ${values.outputs as string}: ${e.message}`);
      throw e;
    }
  }

  const shown = dir ?? '.';
  const host = new NodeFileHost();
  const adf = await loadFactory(host, path.resolve(io.cwd, shown), shown, {
    allowedFolders: allowedFolders(values, io.cwd),
  });
  const factory = factoryFromFolder(adf);
  if (!factory.pipeline(pipeline)) {
    const names = [...(adf.artifacts.get('pipeline')?.keys() ?? [])].sort();
    const suggestion = didYouMean(pipeline, names);
    const hint = suggestion
      ? `; did you mean '${suggestion}'?`
      : names.length
        ? `; its pipelines: ${names.join(', ')}.`
        : ': it has no pipelines.';
    throw new UserError(`No pipeline '${pipeline}' in ${path.relative(io.cwd, adf.root) || '.'}${hint}`);
  }
  for (const f of adf.files) {
    const error = f.diagnostics.find(d => d.severity === 'error' && (d.code === 'LH402' || d.code === 'LH002'));
    if (error) io.stderr(`note: ${path.relative(io.cwd, f.file)} is left out: ${error.message}\n`);
  }
  let result;
  try {
    result = dryRun({
      factory,
      pipeline,
      parameters,
      ...(window ? { window } : {}),
      ...(outcomes ? { outcomes } : {}),
    });
  } catch (e) {
    if (e instanceof DryRunError) throw new UserError(e.message);
    throw e;
  }
  io.stdout(format === 'json' ? `${JSON.stringify(dryRunJson(result), null, 2)}\n` : renderDryRunText(result));
  return result.result.status === 'Succeeded' && result.result.evaluationErrors === 0 ? 0 : 1;
}
