// `lakehouse generate adf`: the Data Factory artifacts the metadata implies, written into paths.adf
// (a round trip: hand edits outside the owned values are kept), `--check` for CI.
import * as path from 'path';
import {
  conflictsOf,
  isUpToDate,
  writeAdfPlan,
  type AdfFilePlan,
  type AdfGenerationPlan,
} from '../core/adf/generate/plan';
import { pathText } from '../core/adf/generate/adfJson';
import { planProjectAdf } from '../core/project/adfGeneration';
import { loadProjectAt, UserError } from '../core/project/loadProject';
import { NodeFileHost } from '../core/files/nodeFileHost';
import { readGeneratedText } from '../core/files/generatedFiles';
import { ALLOW_FOLDER_OPTION, allowedFolders, parse, UsageError } from './args';
import { Containment } from '../core/files/containment';
import { containedHost } from '../core/files/writeFile';
import type { Io } from './main';
import { relative, toText } from './output';

export async function generate(args: string[], io: Io, usage: string): Promise<number> {
  const { values, positionals } = parse(args, {
    check: { type: 'boolean' },
    force: { type: 'boolean', short: 'f' },
    project: { type: 'string', short: 'p' },
    env: { type: 'string' },
    format: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
    ...ALLOW_FOLDER_OPTION,
  });
  if (values.help) {
    io.stdout(usage);
    return 0;
  }
  const [what, ...rest] = positionals;
  if (what !== 'adf')
    throw new UsageError(
      what === undefined
        ? 'generate needs a target: lakehouse generate adf.'
        : `Unknown generate target '${what}'; the one target is adf.`,
    );
  if (rest.length > 1 || (rest.length === 1 && values.project !== undefined))
    throw new UsageError('generate adf takes at most one project folder (or --project DIR).');
  const format = (values.format as string | undefined) ?? 'text';
  if (format !== 'text' && format !== 'json') throw new UsageError(`--format must be text or json, not '${format}'.`);
  const check = values.check === true;
  const force = values.force === true;
  if (check && force) throw new UsageError('--check writes nothing, so --force does not go with it.');

  const shown = (values.project as string | undefined) ?? rest[0] ?? '.';
  const host = new NodeFileHost();
  const snapshot = await loadProjectAt(host, path.resolve(io.cwd, shown), shown, {
    allowedFolders: allowedFolders(values, io.cwd),
  });
  const containment = new Containment(snapshot.roots, file => host.realPath(file));
  const baseDir = path.dirname(snapshot.rootFile);
  const planned = await planProjectAdf(
    snapshot,
    file => readGeneratedText(host, file),
    values.env !== undefined ? { environment: values.env as string } : {},
  );
  if (!planned.ok) {
    if (planned.reason === 'unknown-environment') throw new UserError(planned.message);
    if (planned.reason === 'metadata-errors') {
      io.stderr(
        `${toText(planned.errors, baseDir, io.color)}\n\nlakehouse: ${planned.message.replace('Fix them first.', 'Fix them first (lakehouse validate).')}\n`,
      );
    } else {
      io.stderr(`lakehouse: ${planned.message}\n`);
    }
    return 1;
  }
  const plan: AdfGenerationPlan = planned.plan;
  const adfRoot = plan.adfRoot;
  const rel = (file: string) => relative(baseDir, file);
  if (format === 'text') for (const note of plan.notes) io.stderr(`note: ${note}\n`);
  const conflicts = conflictsOf(plan);
  const describeConflict = (f: AdfFilePlan) => `${rel(f.file)}: ${f.conflict?.message ?? ''}`;
  const json = (statusOf: (f: AdfFilePlan) => string, extra: Record<string, unknown> = {}) =>
    `${JSON.stringify(
      {
        environment: plan.environment,
        adf: rel(adfRoot),
        files: plan.files.map(f => ({
          path: rel(f.file),
          kind: f.artifact.kind,
          name: f.artifact.name,
          status: statusOf(f),
          changedPaths: f.changedPaths.map(pathText),
          ...(f.conflict ? { conflict: { reason: f.conflict.reason, message: f.conflict.message } } : {}),
        })),
        fingerprints: { path: rel(plan.fingerprints.file), status: plan.fingerprints.status },
        stale: plan.stale.map(rel),
        notes: plan.notes,
        ...extra,
      },
      null,
      2,
    )}\n`;

  if (check) {
    const upToDate = isUpToDate(plan);
    if (format === 'json') io.stdout(json(f => f.status, { upToDate }));
    else {
      for (const f of plan.files) {
        if (f.status === 'create') io.stdout(`missing: ${rel(f.file)}\n`);
        else if (f.status === 'update')
          io.stdout(`out of date: ${rel(f.file)} (${f.changedPaths.map(pathText).join(', ')})\n`);
        else if (f.status === 'conflict') io.stdout(`out of date, needs --force: ${describeConflict(f)}\n`);
      }
      if (plan.fingerprints.status !== 'unchanged')
        io.stdout(
          `${plan.fingerprints.status === 'create' ? 'missing' : 'out of date'}: ${rel(plan.fingerprints.file)}\n`,
        );
      const stale = plan.files.filter(f => f.status !== 'unchanged').length;
      const force = conflicts.length ? '; hand edits to generated values need --force' : '';
      const todo = upToDate ? '' : ` (run \`lakehouse generate adf\` and commit the result${force})`;
      io.stdout(`${plan.files.length - stale} of ${plan.files.length} ADF artifact(s) up to date${todo}.\n`);
    }
    return upToDate ? 0 : 1;
  }

  const report = await writeAdfPlan(plan, {
    force,
    write: containedHost(host, containment, rel).writeFile,
  });
  if (report.refused.length > 0) {
    if (format === 'json') io.stdout(json(f => (f.status === 'conflict' ? 'refused' : 'not written')));
    io.stderr(
      `lakehouse: ${report.refused.length} file(s) would lose changes made outside lakehouse generate adf; nothing was written:\n` +
        report.refused.map(f => `  ${describeConflict(f)}\n`).join('') +
        'Put those values in lakehouse.yaml (or the adf section) instead, or pass --force to overwrite them.\n',
    );
    return 1;
  }
  const written = new Set(report.written);
  if (format === 'json')
    io.stdout(
      json(f =>
        written.has(f)
          ? f.status === 'conflict'
            ? 'overwritten'
            : f.status === 'create'
              ? 'created'
              : 'updated'
          : 'unchanged',
      ),
    );
  else {
    for (const f of report.written)
      io.stdout(
        `${f.status === 'create' ? 'created' : f.status === 'conflict' ? 'overwrote' : 'updated'} ${rel(f.file)}\n`,
      );
    if (report.fingerprintsWritten)
      io.stdout(`${plan.fingerprints.status === 'create' ? 'created' : 'updated'} ${rel(plan.fingerprints.file)}\n`);
    for (const file of plan.stale)
      io.stderr(`note: ${rel(file)} is no longer generated; delete it if nothing uses it.\n`);
    io.stdout(
      `${report.written.length} written, ${report.unchanged.length} unchanged (environment ${plan.environment}).\n`,
    );
  }
  return 0;
}
