import * as path from 'path';
import { RULES } from '../diagnostics/rules';
import { makeDiagnostic } from '../diagnostics/diagnostic';
import { ADF_FOLDERS, parseAdfFile, type AdfFile, type AdfKind } from './adfFile';
import { findMetadataLoops, type MetadataLoop } from './metadataLoops';

export interface AdfFactory {
  root: string;
  files: AdfFile[];
  /** Artifacts by kind and name (the first file wins when two share a name). */
  artifacts: Map<AdfKind, Map<string, AdfFile>>;
  loops: MetadataLoop[];
}

export type ReadResult = { text: string } | { unreadable: string } | { missing: true };

/** How the folder loader reads; the project session passes its caching reader. */
export interface AdfReader {
  readText(file: string): Promise<ReadResult>;
  readDirectory(dir: string): Promise<string[] | undefined>;
  /** Parses a file, possibly from a cache. */
  parse?(file: string, kind: AdfKind, text: string): AdfFile;
  /** Called between pipelines while their loops are found (a time-sliced caller yields there). */
  pause?(): Promise<void>;
}

export type AdfFolderResult = { status: 'ok'; factory: AdfFactory } | { status: 'missing' } | { status: 'not-adf' };

/** How many files of a folder are being read ahead of the one being parsed. */
const READ_AHEAD = 4;

const loopMemo = new WeakMap<AdfFile, { loops: MetadataLoop[]; datasets: [string, AdfFile | undefined][] }>();

/** Reads a Data Factory folder in ADF's git layout. Bad files become diagnostics on those files. */
export async function loadAdfFolder(reader: AdfReader, root: string): Promise<AdfFolderResult> {
  const entries = await reader.readDirectory(root);
  if (!entries) return { status: 'missing' };
  const present = (Object.keys(ADF_FOLDERS) as AdfKind[]).filter(k => entries.includes(`${ADF_FOLDERS[k]}/`));
  if (present.length === 0) return { status: 'not-adf' };
  const factory: AdfFactory = { root, files: [], artifacts: new Map(), loops: [] };
  const parse = reader.parse ?? parseAdfFile;
  for (const kind of present) {
    const dir = path.join(root, ADF_FOLDERS[kind]);
    const names = ((await reader.readDirectory(dir)) ?? [])
      .filter(n => !n.endsWith('/') && n.toLowerCase().endsWith('.json'))
      .sort();
    const byName = new Map<string, AdfFile>();
    factory.artifacts.set(kind, byName);
    const files = names.map(name => path.join(dir, name));
    // The next files are read while one is parsed (each read waits on the disk otherwise). A read
    // started ahead is marked handled: a load stopped meanwhile must not leave a rejection unheard.
    const reads: (Promise<ReadResult> | undefined)[] = [];
    const readAhead = (upTo: number): void => {
      for (let i = reads.length; i < Math.min(upTo, files.length); i++) {
        const read = reader.readText(files[i]!);
        read.catch(() => undefined);
        reads.push(read);
      }
    };
    for (const [i, file] of files.entries()) {
      readAhead(i + READ_AHEAD);
      const read = await reads[i]!;
      reads[i] = undefined;
      let parsed: AdfFile;
      if ('text' in read) parsed = parse(file, kind, read.text);
      else {
        parsed = parseAdfFile(file, kind, '');
        parsed.diagnostics = [
          makeDiagnostic(
            file,
            parsed.lines,
            [0, 0],
            RULES.unreadableFile,
            'unreadable' in read ? read.unreadable : 'The file cannot be read.',
          ),
        ];
      }
      factory.files.push(parsed);
      if (parsed.name !== undefined && !byName.has(parsed.name)) byName.set(parsed.name, parsed);
    }
  }
  const datasets = factory.artifacts.get('dataset') ?? new Map<string, AdfFile>();
  for (const pipeline of factory.artifacts.get('pipeline')?.values() ?? []) {
    await reader.pause?.();
    // A pipeline's loops depend on its (cached, immutable) file and the datasets it names.
    const memo = loopMemo.get(pipeline);
    if (memo && memo.datasets.every(([name, file]) => datasets.get(name) === file)) {
      factory.loops.push(...memo.loops);
      continue;
    }
    const loops = findMetadataLoops(pipeline, datasets);
    loopMemo.set(pipeline, {
      loops,
      datasets: loops.filter(l => l.sourceDataset).map(l => [l.sourceDataset!, datasets.get(l.sourceDataset!)]),
    });
    factory.loops.push(...loops);
  }
  return { status: 'ok', factory };
}
