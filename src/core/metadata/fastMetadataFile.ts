import type { Document } from 'yaml';
import type { Diagnostic } from '../diagnostics/diagnostic';
import { LineIndex } from '../text/lineIndex';
import { fastYamlValue } from './fastYaml';
import { drain } from '../text/timeSlices';
import {
  parseMetadataFile,
  parseMetadataFileSteps,
  parseYaml,
  parseYamlSteps,
  type MetadataFile,
} from './metadataFile';
import { validateAgainstSchema, type MetadataFileKind } from './schemaValidation';

/**
 * A file read on the fast path: valid YAML and valid against the schema, so it has no diagnostics
 * of its own. Its `yaml` Document and LineIndex, which only ranges need (a cross-file diagnostic
 * in it, a quick fix, an editor feature), are made the first time they are asked for: most files
 * of a large project never need them, and they cost ~20× the parse and ~5× the memory of the value.
 */
class LazyMetadataFile implements MetadataFile {
  readonly parsed = true;
  readonly diagnostics: Diagnostic[] = [];
  private exactDoc: Document.Parsed | undefined;
  private lineIndex: LineIndex | undefined;

  constructor(
    readonly file: string,
    readonly kind: MetadataFileKind,
    readonly text: string,
    private heldValue: unknown,
  ) {}

  /** The value, read again from the text (js-yaml, the same value) after releaseValue(). */
  get value(): unknown {
    return (this.heldValue ??= fastYamlValue(this.text)?.value);
  }

  releaseValue(): void {
    this.heldValue = undefined;
  }

  get doc(): Document.Parsed {
    return (this.exactDoc ??= parseYaml(this.text));
  }

  /** Makes the Document in steps (see parseYamlSteps). */
  *documentSteps(): Generator<void, void> {
    const doc = yield* parseYamlSteps(this.text);
    this.exactDoc ??= doc;
  }

  get lines(): LineIndex {
    return (this.lineIndex ??= new LineIndex(this.text));
  }

  get hasDocument(): boolean {
    return this.exactDoc !== undefined;
  }
}

/**
 * parseMetadataFile's result, with the same value and diagnostics, read with js-yaml when that is
 * exact (fastYaml.ts) and the file is valid against the schema; anything else (a syntax error, a
 * schema error, an empty file, whatever js-yaml cannot be trusted with) takes the exact path.
 * The file's `text` equals `text`, but may be another string holding it: keep the file's.
 */
export function parseMetadataFileFast(file: string, kind: MetadataFileKind, text: string): MetadataFile {
  const fast = fastYamlValue(text);
  if (
    fast &&
    fast.value !== null &&
    typeof fast.value === 'object' &&
    validateAgainstSchema(kind, fast.value).length === 0
  )
    return new LazyMetadataFile(file, kind, fast.text, fast.value);
  return parseMetadataFile(file, kind, text);
}

/**
 * Lets the file drop its value, which a large project's session would otherwise keep twice (once
 * as the value, once as the model built from it); a later read of `value` reads the text again.
 * Files with a Document (open, edited, or read exactly) keep theirs: a keystroke re-uses it.
 */
export function releaseValue(file: MetadataFile): void {
  if (file instanceof LazyMetadataFile && !file.hasDocument) file.releaseValue();
}

/** Whether the file's `yaml` Document exists already (always, unless it came from the fast path). */
export function hasExactDocument(file: MetadataFile): boolean {
  return !(file instanceof LazyMetadataFile) || file.hasDocument;
}

/**
 * Makes the file's Document now (a file opened or edited needs its ranges). Returns the file, or
 * when its Document shows what the fast path could not see (an error or a warning of the `yaml`
 * package: a difference between the libraries the differential test did not catch), the exact parse.
 */
export function withExactDocument(file: MetadataFile): MetadataFile {
  return drain(withExactDocumentSteps(file));
}

/** withExactDocument as steps (see parseYamlSteps). */
export function* withExactDocumentSteps(file: MetadataFile): Generator<void, MetadataFile> {
  if (hasExactDocument(file)) return file;
  if (file instanceof LazyMetadataFile) yield* file.documentSteps();
  const doc = file.doc;
  void file.lines;
  return doc && (doc.errors.length || doc.warnings.length)
    ? yield* parseMetadataFileSteps(file.file, file.kind, file.text)
    : file;
}
