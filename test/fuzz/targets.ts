// The fuzz targets: for each, the fast-check arbitrary of its cases, how a case becomes the
// files (or text) a runner checks, and the known-hostile seeds every campaign starts with.
import fc from 'fast-check';
import { loadCorpus, type Factory } from './corpus';
import { applyFileEdit, fileEdit, nodeIndex, type FileEdit } from './json';
import { parserText, templatesSpec, TEMPLATE_CONTEXTS, type TemplatesSpec } from './templates';
import type { CaseInput, ProjectFiles, TargetName } from './types';
import { applyYamlMutation, hostileName, yamlMutation, yamlMutations, type YamlMutation } from './yaml';

export interface Target<V> {
  name: TargetName;
  arbitrary: fc.Arbitrary<V>;
  materialize(value: V): CaseInput;
  /** Known-hostile seeds, run first in every campaign (fast-check `examples`). */
  examples(): V[];
}

// --- metadata -----------------------------------------------------------------------------------

export const MINIMAL = 'version: 1\nproject:\n  name: p\n';

const FRAGMENT_BASES = [
  'sources: []\n',
  'sources:\n  - name: extra_sql\n    type: azureSql\n    tables:\n      - name: T1\n        ' +
    'schema: dbo\n        primaryKey: [id]\n        columns:\n          - { name: id, type: ' +
    'int }\n',
  'include:\n  - ../lakehouse.yaml\n',
  'starSchema:\n  dimensions:\n    - name: dim_extra\n      source: dbo.T1\n      businessKey: [id]\n',
];

/** Files an include pattern may reach (INCLUDE_PATTERNS names them). */
const EXTRA_FILES = [
  'metadata/extra.lakehouse.yaml',
  'metadata/sub/deep.lakehouse.yaml',
  'other/x.yaml',
  'lakehouse.yml',
  '../outside.yaml',
];

export interface MetadataSpec {
  /** 0: a minimal file, 1: the unit tests' baseline, 2: the Spotify sample (with its fragment). */
  base: number;
  root: YamlMutation[];
  /** Mutations of the sample's star-schema fragment (base 2). */
  fragment: YamlMutation[];
  extra: { file: number; base: number; mutations: YamlMutation[] }[];
  /** The base's ADF folder (the baseline's small one, or the sample's). */
  adf: boolean;
  /** The sample's databricks/databricks.yml. */
  bundle: boolean;
  /** 0: text files; else one file replaced by bytes that are not UTF-8 text. */
  binary: number;
}

const metadataSpec: fc.Arbitrary<MetadataSpec> = fc.record({
  base: fc.nat({ max: 2 }),
  root: yamlMutations(4),
  fragment: fc.oneof(
    { weight: 3, arbitrary: fc.constant([] as YamlMutation[]) },
    { weight: 1, arbitrary: yamlMutations(3) },
  ),
  extra: fc.oneof(
    { weight: 5, arbitrary: fc.constant([] as MetadataSpec['extra']) },
    {
      weight: 1,
      arbitrary: fc.array(
        fc.record({
          file: fc.nat({ max: EXTRA_FILES.length - 1 }),
          base: fc.nat({ max: FRAGMENT_BASES.length - 1 }),
          mutations: fc.array(yamlMutation, { maxLength: 2 }),
        }),
        { minLength: 1, maxLength: 3 },
      ),
    },
  ),
  adf: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
  bundle: fc.boolean(),
  binary: fc.oneof({ weight: 60, arbitrary: fc.constant(0) }, { weight: 1, arbitrary: fc.integer({ min: 1, max: 4 }) }),
});

function mutate(text: string, mutations: YamlMutation[]): string {
  for (const m of mutations) text = applyYamlMutation(text, m);
  return text;
}

function toBytes(text: string, how: number): Uint8Array {
  switch (how) {
    case 1:
      return Buffer.from(`${text}\u0000\u0001binary`, 'utf8');
    case 2:
      return Buffer.concat([
        Buffer.from(text.slice(0, 20), 'utf8'),
        Buffer.from([0xff, 0xfe, 0xc3, 0x28]),
        Buffer.from(text.slice(20), 'utf8'),
      ]);
    case 3:
      return Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    default:
      return Buffer.from(text.replace(/a/g, 'é'), 'latin1');
  }
}

export function metadataFiles(spec: MetadataSpec): ProjectFiles {
  const corpus = loadCorpus();
  const bases = [MINIMAL, corpus.baseline, corpus.sample['lakehouse.yaml'] as string];
  const base = spec.base % bases.length;
  const files: ProjectFiles = {};
  if (spec.adf) {
    if (base === 2) {
      for (const [rel, text] of Object.entries(corpus.sample)) if (rel.startsWith('adf/')) files[rel] = text;
    } else Object.assign(files, corpus.baselineAdf);
  }
  if (spec.bundle) files['databricks/databricks.yml'] = corpus.sample['databricks/databricks.yml'] as string;
  for (const e of spec.extra)
    files[EXTRA_FILES[e.file % EXTRA_FILES.length] as string] = mutate(
      FRAGMENT_BASES[e.base % FRAGMENT_BASES.length] as string,
      e.mutations,
    );
  files['lakehouse.yaml'] = mutate(bases[base] as string, spec.root);
  if (base === 2)
    files['metadata/star-schema.lakehouse.yaml'] = mutate(
      corpus.sample['metadata/star-schema.lakehouse.yaml'] as string,
      spec.fragment,
    );
  if (spec.binary) {
    const file = spec.binary === 3 && base === 2 ? 'metadata/star-schema.lakehouse.yaml' : 'lakehouse.yaml';
    files[file] = toBytes(files[file] as string, spec.binary);
  }
  return files;
}

const metadataExamples = (): MetadataSpec[] => {
  const none = { fragment: [], extra: [], adf: false, bundle: false, binary: 0 };
  return [
    // 240 KB of '../' as a table name (the sample's third name: line, DimUser; its templates make paths of names).
    {
      ...none,
      base: 2,
      root: [{ op: 'rename', line: 2, value: { t: 'huge', unit: '../', count: 80_000, style: 'double' } }],
    },
    // A recursive alias: x: &a [*a]
    { ...none, base: 0, root: [{ op: 'addKey', line: 0, key: 'x', value: { t: 'recursive', form: 0 } }] },
    // The hostile names of the brief, as a source system, a table and a dimension.
    {
      ...none,
      base: 1,
      root: [
        { op: 'rename', line: 1, value: { t: 'str', value: '../../../tmp/pwn', style: 'double' } },
        { op: 'rename', line: 3, value: { t: 'str', value: `x"; import os; os.system('id'); y="`, style: 'single' } },
      ],
    },
    {
      ...none,
      base: 2,
      root: [{ op: 'include', patterns: ['/etc/passwd', '../outside.yaml', '**/**/**/**/**/*.yaml'] }],
    },
    // Found by this fuzzer: CRLF line ends (a range may end between \r and \n) and a tag with no value.
    {
      ...none,
      base: 0,
      root: [
        { op: 'insert', at: 0, text: '\u0001' },
        { op: 'deleteLine', line: 2 },
        { op: 'newlines', style: '\r\n' },
      ],
    },
    {
      ...none,
      base: 0,
      root: [
        { op: 'delete', at: 0, length: 1000 },
        { op: 'insert', at: 0, text: '!!binary ' },
      ],
    },
  ];
};

export const metadataTarget: Target<MetadataSpec> = {
  name: 'metadata',
  arbitrary: metadataSpec,
  materialize: spec => ({ target: 'metadata', files: metadataFiles(spec) }),
  examples: metadataExamples,
};

// --- incremental --------------------------------------------------------------------------------

export interface IncrementalSpec {
  /** 0: the baseline, 1: the sample's lakehouse.yaml, 2: the sample's star-schema fragment. */
  base: number;
  edits: { at: number; deleteCount: number; insert: string }[];
}

const TYPING = 'abcxyz_019 '.split('');

const incrementalEdit = fc.record({
  at: fc.nat(),
  deleteCount: fc.oneof(
    { weight: 3, arbitrary: fc.constant(0) },
    { weight: 2, arbitrary: fc.integer({ min: 1, max: 8 }) },
  ),
  insert: fc.oneof(
    { weight: 2, arbitrary: fc.constant('') },
    { weight: 10, arbitrary: fc.string({ unit: fc.constantFrom(...TYPING), minLength: 1, maxLength: 4 }) },
    { weight: 3, arbitrary: fc.constantFrom(':', '-', ',', '[', ']', '"', '\n', '#', "'", '{', '}', ' ') },
    {
      weight: 2,
      arbitrary: fc.constantFrom('&a ', '*a', '|', '>', '\t', '? ', '!!str ', '<<: ', '---', '%', '@', '\r', '\r\n'),
    },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        '\n      - name: x',
        '\n        cdcColumn: y',
        '\n    - ',
        '\n  ',
        '\n- ',
        'name: z\n',
        '\n          - { name: c, type: int }',
      ),
    },
    { weight: 1, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }) },
    { weight: 1, arbitrary: hostileName },
  ),
});

export const incrementalTarget: Target<IncrementalSpec> = {
  name: 'incremental',
  arbitrary: fc.record({ base: fc.nat({ max: 2 }), edits: fc.array(incrementalEdit, { minLength: 1, maxLength: 4 }) }),
  materialize: (spec): CaseInput => {
    const corpus = loadCorpus();
    const root = corpus.sample['lakehouse.yaml'] as string;
    const fragment = corpus.sample['metadata/star-schema.lakehouse.yaml'] as string;
    const base = spec.base % 3;
    const edits = spec.edits.map(e => ({ at: e.at, deleteCount: e.deleteCount, insert: e.insert }));
    if (base === 0)
      return {
        target: 'incremental',
        files: {} as ProjectFiles,
        file: 'lakehouse.yaml',
        kind: 'root',
        text: corpus.baseline,
        edits,
      };
    if (base === 1)
      return {
        target: 'incremental',
        files: { 'metadata/star-schema.lakehouse.yaml': fragment },
        file: 'lakehouse.yaml',
        kind: 'root',
        text: root,
        edits,
      };
    return {
      target: 'incremental',
      files: { 'lakehouse.yaml': root },
      file: 'metadata/star-schema.lakehouse.yaml',
      kind: 'fragment',
      text: fragment,
      edits,
    };
  },
  examples: () => [],
};

// --- ADF ----------------------------------------------------------------------------------------

export interface AdfSpec {
  /** 0: the sample's factory (inside the sample project, so generation compares with it); else a real-world one. */
  factory: number;
  edits: FileEdit[];
}

const referenceIndexes = new Map<Factory, Map<string, string[]>>();

/** Files of a factory by artifact name (lower case), to take an edited file's references along. */
function referenceIndex(factory: Factory): Map<string, string[]> {
  let index = referenceIndexes.get(factory);
  if (!index) {
    index = new Map();
    for (const rel of Object.keys(factory.files)) {
      const name = (rel.split('/').pop() ?? rel).replace(/\.json$/, '').toLowerCase();
      index.set(name, [...(index.get(name) ?? []), rel]);
    }
    referenceIndexes.set(factory, index);
  }
  return index;
}

/** The edited factory files: all of the sample's; of a real-world factory, the edited files, what they reference, and the factory file. */
export function editedFactory(spec: AdfSpec): { factory: Factory; files: Record<string, string> } {
  const corpus = loadCorpus();
  const factory = corpus.factories[spec.factory % corpus.factories.length] as Factory;
  const names = Object.keys(factory.files);
  const edited = new Map<string, string>();
  for (const e of spec.edits) {
    const rel = names[e.file % names.length] as string;
    edited.set(rel, applyFileEdit(edited.get(rel) ?? (factory.files[rel] as string), e));
  }
  const files: Record<string, string> = {};
  if (factory === corpus.factories[0]) Object.assign(files, factory.files);
  else {
    const index = referenceIndex(factory);
    for (const rel of names)
      if (rel.startsWith('factory/') || rel === 'publish_config.json') files[rel] = factory.files[rel] as string;
    for (const rel of edited.keys()) {
      files[rel] = factory.files[rel] as string;
      for (const m of (factory.files[rel] as string).matchAll(/"referenceName"\s*:\s*"([^"]+)"/g)) {
        for (const target of index.get((m[1] as string).toLowerCase()) ?? [])
          files[target] = factory.files[target] as string;
      }
    }
  }
  for (const [rel, text] of edited) files[rel] = text;
  return { factory, files };
}

export function adfProjectFiles(spec: AdfSpec): ProjectFiles {
  const corpus = loadCorpus();
  const files: ProjectFiles = {};
  for (const [rel, text] of Object.entries(corpus.sample)) if (!rel.startsWith('adf/')) files[rel] = text;
  for (const [rel, text] of Object.entries(editedFactory(spec).files)) files[`adf/${rel}`] = text;
  return files;
}

const adfSpec: fc.Arbitrary<AdfSpec> = fc.record({
  factory: fc.oneof(
    { weight: 2, arbitrary: fc.constant(0) },
    { weight: 3, arbitrary: fc.integer({ min: 1, max: 1000 }) },
  ),
  edits: fc.array(fileEdit, { minLength: 1, maxLength: 3 }),
});

const adfExamples = (): AdfSpec[] => {
  const sampleFactory = loadCorpus().factories[0] as Factory;
  const names = Object.keys(sampleFactory.files);
  const file = names.indexOf('linkedService/ls_adls.json');
  if (file < 0) return [];
  const text = sampleFactory.files['linkedService/ls_adls.json'] as string;
  const dataset = names.indexOf('dataset/ds_adls_json.json');
  const trigger = names.indexOf('trigger/tr_ingestion_schedule.json');
  return [
    // typeProperties: null in a linked service that generation rewrites.
    {
      factory: 0,
      edits: [
        {
          file,
          ops: [
            { op: 'set', node: nodeIndex(text, ['properties', 'typeProperties']), value: { t: 'json', value: null } },
          ],
          raw: [],
          indent: 2,
        },
      ],
    },
    // Found by this fuzzer: JSON nested 100,000 levels deep in a file generation reads; an artifact "{\r\n}".
    ...(dataset >= 0
      ? [
          {
            factory: 0,
            edits: [
              {
                file: dataset,
                ops: [
                  {
                    op: 'set' as const,
                    node: 0,
                    value: { t: 'deep' as const, kind: 'object' as const, depth: 100_000 },
                  },
                ],
                raw: [],
                indent: 2,
              },
            ],
          },
        ]
      : []),
    ...(trigger >= 0
      ? [
          {
            factory: 0,
            edits: [
              {
                file: trigger,
                ops: [{ op: 'set' as const, node: 0, value: { t: 'raw' as const, text: '{\n}' } }],
                raw: [{ op: 'newlines' as const, style: '\r\n' as const }],
                indent: 2,
              },
            ],
          },
        ]
      : []),
  ];
};

export const adfTarget: Target<AdfSpec> = {
  name: 'adf',
  arbitrary: adfSpec,
  // The sample's factory is checked in its project (and generated over); the real-world ones also on their own.
  materialize: spec => ({
    target: 'adf',
    files: adfProjectFiles(spec),
    adfRoot: 'adf',
    adfOnly: spec.factory % loadCorpus().factories.length !== 0,
  }),
  examples: adfExamples,
};

// --- CLI ----------------------------------------------------------------------------------------

export type CliSpec =
  | { kind: 'metadata'; spec: MetadataSpec }
  | { kind: 'adf'; spec: AdfSpec }
  /** A folder with a Data Factory and no lakehouse.yaml: validate checks the factory on its own. */
  | { kind: 'adf-only'; spec: AdfSpec };

export const cliTarget: Target<CliSpec> = {
  name: 'cli',
  arbitrary: fc.oneof(
    { weight: 3, arbitrary: metadataSpec.map(spec => ({ kind: 'metadata' as const, spec })) },
    { weight: 2, arbitrary: adfSpec.map(spec => ({ kind: 'adf' as const, spec })) },
    { weight: 1, arbitrary: adfSpec.map(spec => ({ kind: 'adf-only' as const, spec })) },
  ),
  materialize: c => ({
    target: 'cli',
    files:
      c.kind === 'metadata'
        ? metadataFiles(c.spec)
        : c.kind === 'adf'
          ? adfProjectFiles(c.spec)
          : editedFactory(c.spec).files,
  }),
  examples: () => [
    ...metadataExamples()
      .slice(1, 2)
      .map(spec => ({ kind: 'metadata' as const, spec })),
    ...adfExamples().map(spec => ({ kind: 'adf' as const, spec })),
  ],
};

// --- templates ----------------------------------------------------------------------------------

export const templatesTarget: Target<TemplatesSpec> = {
  name: 'templates',
  arbitrary: templatesSpec,
  materialize: spec => {
    const snippets: Record<string, string> = {};
    spec.snippets.forEach((text, i) => (snippets[`inc${i}.j2`] = text));
    const context = TEMPLATE_CONTEXTS[spec.context % TEMPLATE_CONTEXTS.length] ?? { context: {} };
    return { target: 'templates', main: spec.main, mode: spec.mode, snippets, ...context };
  },
  examples: () => [
    // (range(10**8)|list runs out of memory only after about 4 s, a race with the 5 s limit: it is among the random bombs.)
    {
      main: '{% set ns = namespace(l=[1]) %}{% for i in range(40) %}{% set ns.l = ns.l + ns.l %}{% endfor %}{{ ns.l|length }}',
      snippets: [],
      mode: 'text',
      context: 0,
    },
    {
      main: '{% set ns = namespace(l=[]) %}{% for i in range(1000) %}{% set ns.l = ns.l + [range(99999)|list] %}{% endfor %}{{ ns.l|length }}',
      snippets: [],
      mode: 'text',
      context: 0,
    },
    { main: '{% macro r(n) %}{{ r(n + 1) }}{% endmacro %}{{ r(0) }}', snippets: [], mode: 'text', context: 0 },
    { main: "{% include 'inc0.j2' %}", snippets: ["{% include 'inc0.j2' %}"], mode: 'file', context: 0 },
  ],
};

export const templateParserTarget: Target<string> = {
  name: 'template-parser',
  arbitrary: parserText,
  materialize: text => ({ target: 'template-parser', text }),
  examples: () => [
    `{{ ${'('.repeat(100_000)}1${')'.repeat(100_000)} }}`,
    `${'{% if x %}'.repeat(20_000)}${'{% endif %}'.repeat(20_000)}`,
  ],
};

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const ALL_TARGETS: Record<TargetName, Target<any>> = {
  metadata: metadataTarget,
  incremental: incrementalTarget,
  adf: adfTarget,
  cli: cliTarget,
  templates: templatesTarget,
  'template-parser': templateParserTarget,
};
