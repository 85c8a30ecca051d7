import { promises as fs } from 'fs';
import * as path from 'path';
import { compareDiagnostics, countBySeverity, type Diagnostic } from '../core/diagnostics/diagnostic';
import { importFromAdf } from '../core/adf/importAdf';
import { renderRulesMarkdown } from '../core/diagnostics/rulesDoc';
import { NodeFileHost } from '../core/files/nodeFileHost';
import {
  findAdfFolders,
  loadProjectAt,
  readAdfFolder,
  UserError,
  validateAdfFolderAt,
} from '../core/project/loadProject';
import { findRootFile } from '../core/project/projectSession';
import { toJson, toText } from './output';
import { WriteRefusedError, writeFileAtomic } from '../core/files/writeFile';
import { FileRefusedError } from '../core/files/fileHost';
import { ALLOW_FOLDER_OPTION, allowedFolders, parse, UsageError } from './args';
import { render, renderTemplate } from './render';
import { generate } from './generate';
import { DRY_RUN_USAGE, dryRunCommand } from './dryRun';
import { DEPLOY_USAGE, deployCommand } from './operations/deploy';
import { EMULATOR_USAGE, emulatorCommand } from './operations/emulator';
import { BACKFILL_USAGE, backfillCommand } from './operations/backfill';
import { TRIGGER_USAGE, triggerCommand } from './operations/trigger';
import { RUNS_USAGE, runsCommand } from './operations/runs';

const OPERATIONS_USAGE = `${DEPLOY_USAGE}${TRIGGER_USAGE}${RUNS_USAGE}${BACKFILL_USAGE}`;

const USAGE = `Usage: lakehouse <command> [options]

Commands:
  validate [DIR] [--format text|json] [--allow-folder DIR]...
                                           Check lakehouse.yaml, its includes and the ADF folder
                                           (in a folder without lakehouse.yaml: the Data Factory git
                                           folders in it).
                                           Exit 0: no errors; 1: errors; 2: usage or I/O error.
  import-adf ADF_DIR [--out FILE] [--force] Create a lakehouse.yaml from a Data Factory folder
                                           (ADF git layout). --out - prints it instead.
  render [DIR] [--check] [--env NAME] [--verify-jinja2 [--python PATH]] [--format text|json]
                                           Render the project's templates (the \`templates\` section of
                                           lakehouse.yaml, or the built-in ones) and write the outputs.
                                           --check writes nothing and lists the outputs that are out of
                                           date; --verify-jinja2 renders each with Python's Jinja2 too and
                                           compares the bytes (needs Python 3 with Jinja2 3.1: --python,
                                           else $LAKEHOUSE_PYTHON, else python3 on PATH).
                                           Exit 0: ok; 1: render errors, out-of-date outputs (--check) or a
                                           difference from Jinja2; 2: usage or I/O error.
  render-template FILE [--context CONTEXT.json] [--search-path DIR]...
                                           Render one template to stdout with a JSON context (read as
                                           Python reads it: 2.0 stays a float). Includes resolve in FILE's
                                           folder, then each --search-path. Exit 1 when rendering fails.
  generate adf [DIR] [--check] [--force] [--env NAME] [--format text|json]
                                           Generate the Data Factory artifacts (linked services, datasets,
                                           the ingestion pipeline, its triggers) into paths.adf. Existing
                                           files keep everything but the values lakehouse.yaml owns;
                                           owned values edited by hand, or files not recognisably
                                           generated, are refused without --force. --check writes
                                           nothing and lists what is out of date. DIR may be given as
                                           --project DIR. Exit 0: ok; 1: metadata errors, out of date
                                           (--check) or refused; 2: usage or I/O error.
${DRY_RUN_USAGE}${OPERATIONS_USAGE}${EMULATOR_USAGE}  rules                                    List every diagnostic code with its rationale (Markdown).

  validate, render and generate read and write only inside the project's folder (the folder of
  lakehouse.yaml). --allow-folder DIR lets the project's paths and includes name a folder outside
  it (templates shared by several projects, say); repeat it for several.

Options:
  -h, --help     Show this help.
  -v, --version  Show the version.
`;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  color: boolean;
  /**
   * Calls `handler` on Ctrl-C (SIGINT) and on SIGTERM (a CI job cancelled) until the returned
   * function is called; commands that run long (backfill, trigger --wait) stop gracefully.
   */
  onInterrupt?: (handler: (signal: 'SIGINT' | 'SIGTERM') => void) => () => void;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      case '-v':
      case '--version':
        io.stdout(`${VERSION}\n`);
        return 0;
      case 'validate':
        return await validate(rest, io);
      case 'import-adf':
        return await importAdf(rest, io);
      case 'render':
        return await render(rest, io, USAGE);
      case 'render-template':
        return await renderTemplate(rest, io, USAGE);
      case 'generate':
        return await generate(rest, io, USAGE);
      case 'dry-run':
        return await dryRunCommand(rest, io, USAGE);
      case 'deploy':
        return await deployCommand(rest, io, USAGE);
      case 'trigger':
        return await triggerCommand(rest, io, USAGE);
      case 'runs':
        return await runsCommand(rest, io, USAGE);
      case 'backfill':
        return await backfillCommand(rest, io, USAGE);
      case 'emulator':
        return await emulatorCommand(rest, io, USAGE);
      case 'rules':
        if (rest.length) throw new UsageError('rules takes no arguments.');
        io.stdout(renderRulesMarkdown());
        return 0;
      default:
        throw new UsageError(`Unknown command '${command}'.`);
    }
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`lakehouse: ${e.message}\n\n${USAGE}`);
      return 2;
    }
    if (e instanceof UserError || e instanceof FileRefusedError || e instanceof WriteRefusedError) {
      io.stderr(`lakehouse: ${e.message}\n`);
      return 2;
    }
    // Azure's answers and sign-in failures are the user's to act on, not bugs.
    const azure = e as { name?: string; statusCode?: number; message?: string };
    if (
      azure &&
      /^(RestError|FactoryApiError|CredentialUnavailableError|AuthenticationError|AggregateAuthenticationError|AdfCallError|LakeError)$/.test(
        azure.name ?? '',
      )
    ) {
      io.stderr(`lakehouse: ${azure.message}\n`);
      return 2;
    }
    const err = e as NodeJS.ErrnoException;
    if (err && typeof err.code === 'string') {
      io.stderr(`lakehouse: ${err.message}\n`);
      return 2;
    }
    io.stderr(`lakehouse: internal error: ${(e as Error)?.stack ?? String(e)}\nPlease report this as a bug.\n`);
    return 3;
  }
}

declare const __VERSION__: string | undefined;
const VERSION = typeof __VERSION__ === 'string' ? __VERSION__ : '0.0.0-dev';

async function validate(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...ALLOW_FOLDER_OPTION,
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length > 1) throw new UsageError('validate takes at most one folder.');
  const options = { allowedFolders: allowedFolders(values, io.cwd) };
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const target = path.resolve(io.cwd, positionals[0] ?? '.');
  const host = new NodeFileHost();
  const isYaml = /\.ya?ml$/i.test(target);
  // A folder without lakehouse.yaml: the Data Factory git folders in it (or it) are checked on their own.
  const adfFolders =
    !isYaml && (await host.readDirectory(target)) && !(await findRootFile(host, target))
      ? await findAdfFolders(host, target)
      : [];
  const snapshots = adfFolders.length
    ? (await Promise.all(adfFolders.map(f => validateAdfFolderAt(host, f, options)))).filter(s => s !== undefined)
    : [await loadProjectAt(host, target, positionals[0] ?? '.', options)];
  const baseDir = isYaml ? path.dirname(target) : target;
  const all: Diagnostic[] = snapshots.flatMap(s => [...s.diagnostics.values()].flat()).sort(compareDiagnostics);
  const counts = countBySeverity(all);
  if (format === 'json') {
    io.stdout(`${JSON.stringify(toJson(all, baseDir), null, 2)}\n`);
  } else {
    if (all.length) io.stdout(`${toText(all, baseDir, io.color)}\n\n`);
    const files = snapshots.reduce((n, s) => n + s.diagnostics.size, 0);
    io.stdout(
      `${counts.error} error(s), ${counts.warning} warning(s), ${counts.info + counts.hint} info in ${files} file(s).\n`,
    );
  }
  return counts.error > 0 ? 1 : 0;
}

async function importAdf(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('import-adf takes exactly one ADF folder.');
  const adfDir = path.resolve(io.cwd, positionals[0] as string);
  const outArg = (values.out as string | undefined) ?? 'lakehouse.yaml';
  const toStdout = outArg === '-';
  const outFile = toStdout ? path.join(io.cwd, 'lakehouse.yaml') : path.resolve(io.cwd, outArg);
  const result = await readAdfFolder(new NodeFileHost(), adfDir);
  if (result.status === 'missing') throw new UserError(`${positionals[0]} does not exist or is not a folder.`);
  if (result.status === 'not-adf')
    throw new UserError(
      `${positionals[0]} is not an ADF folder: it has none of pipeline/, dataset/, linkedService/, trigger/, factory/.`,
    );
  const imported = importFromAdf(result.factory, outFile);
  if (toStdout) {
    io.stdout(imported.text);
  } else {
    if (!values.force && (await exists(outFile)))
      throw new UserError(`${outArg} already exists; pass --force to overwrite it.`);
    await writeFileAtomic(outFile, imported.text);
    io.stderr(
      `Wrote ${path.relative(io.cwd, outFile) || outFile}: ${imported.tables} table(s) from ${imported.sourceSystems} source system(s).\n`,
    );
  }
  for (const loop of imported.loops)
    io.stderr(`  from pipeline ${loop.pipeline}, parameter ${loop.parameter}: ${loop.tables} table(s)\n`);
  for (const note of imported.notes) io.stderr(`  note: ${note}\n`);
  for (const problem of result.factory.files.flatMap(f => f.diagnostics).filter(d => d.severity === 'error')) {
    io.stderr(
      `  skipped: ${path.relative(io.cwd, problem.file)}:${problem.range.start.line + 1}: ${problem.message}\n`,
    );
  }
  return 0;
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.stat(file);
    return true;
  } catch {
    return false;
  }
}
