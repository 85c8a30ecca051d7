// Resource limits of the renderer, so that one hostile (or mistaken) template can never exhaust the
// memory of the process that renders it: a worker thread's heap limit does not protect its
// process (V8 aborts the whole process when one growing array or string reaches it), and the CLI
// and `--verify-jinja2` render in-process.
//
// Jinja2's SandboxedEnvironment only limits range() (MAX_RANGE, reproduced exactly, with its
// message). The other limits are ours; each is checked BEFORE the allocation it guards (the size
// of a repetition is computed before repeating, a padding width before padding) and fails with a
// Python-style MemoryError that names the limit. They are generous for any real notebook: the
// largest notebook Databricks imports is 10 MB, so a whole notebook fits in one string value (a
// macro's output, a {% set %} capture) and six of them in one rendered output; real metadata has
// thousands of tables and columns, not millions.
//
// Sizes are counted in JavaScript string length (UTF-16 code units): one character for almost
// all text (two for characters beyond U+FFFF), one byte in memory for Latin-1 text, two else.
// Work on strings scans them into StringBuilders: a string within MAX_STRING never becomes a list
// of its characters, nor a global regex replace with millions of matches (each costs ~60 bytes a
// character in V8, a gigabyte for 16 MB).
import { getHeapStatistics } from 'v8';
import { TemplateError } from './pyValue';

/** Jinja2's sandbox.MAX_RANGE: range() may not produce more items. */
export const MAX_RANGE = 100_000;
/** Items in one list, tuple or dict a template builds (8 MB of references; a metadata list holds thousands). */
export const MAX_ITEMS = 1_000_000;
/** Characters in one string value: 16 MB, above the 10 MB notebook Databricks imports. */
export const MAX_STRING = 16 * 1024 * 1024;
/** Characters in one render's output: 64 MB, six times the largest notebook Databricks imports. */
export const MAX_OUTPUT = 64 * 1024 * 1024;
/**
 * Nested macro calls, includes, imports and recursive loop() calls. Jinja2 itself stops near 190
 * nested macro calls (a level costs it several of CPython's 1000 frames): real templates nest far
 * less, and 300 levels fit the call stack of a worker and of the main thread.
 */
export const MAX_CALL_DEPTH = 300;
/** CPython's default sys.get_int_max_str_digits(): str() of a longer int raises ValueError. */
export const MAX_INT_DIGITS = 4300;
/**
 * Bits in one integer a template computes (about 300,000 decimal digits, far more than anything
 * printable with MAX_INT_DIGITS): JavaScript's BigInt stops at 2^30 bits with a RangeError.
 */
export const MAX_INT_BITS = 1 << 20;
/**
 * The backstop for what the limits above cannot see (many values, each within its limit, kept
 * alive together): the JavaScript heap may grow by at most this much during one render, and by
 * at most half of what the heap has left when the render starts (a worker's heap is smaller).
 * That is more than a render within the limits above needs (the largest output, 64 M characters,
 * is 128 MB as UTF-16) and less than half the 512 MB heap of the template worker. It is checked
 * every thousand loop iterations or calls and every few million items or characters built.
 */
export const MAX_HEAP_GROWTH = 256 * 1024 * 1024;

const OURS = "a limit of Lakehouse Workbench's renderer";
const number = (value: number) => value.toLocaleString('en-US');

export function memoryError(what: string): TemplateError {
  return new TemplateError('runtime', `MemoryError: ${what} (${OURS})`);
}

export function itemsError(kind = 'list'): TemplateError {
  return memoryError(`the template builds a ${kind} of more than ${number(MAX_ITEMS)} items`);
}

export function stringError(): TemplateError {
  return memoryError(`the template builds a string of more than 16 MB (${number(MAX_STRING)} characters)`);
}

export function outputError(): TemplateError {
  return memoryError(`the rendered output is larger than 64 MB (${number(MAX_OUTPUT)} characters)`);
}

/** Fails when a list (tuple, dict) of `count` items would pass MAX_ITEMS. */
export function checkItems(count: number, kind = 'list'): void {
  if (count > MAX_ITEMS) throw itemsError(kind);
}

/** Fails when a string of `length` characters would pass MAX_STRING. */
export function checkString(length: number): void {
  if (length > MAX_STRING) throw stringError();
}

/** Jinja2's safe_range check, with its exact message. */
export function rangeTooBig(): TemplateError {
  return new TemplateError(
    'runtime',
    `OverflowError: Range too big. The sandbox blocks ranges larger than MAX_RANGE (${MAX_RANGE}).`,
  );
}

/** CPython's error for an int that does not fit a C ssize_t (a length, a width, an index). */
export function ssizeOverflow(): TemplateError {
  return new TemplateError('runtime', 'OverflowError: Python int too large to convert to C ssize_t');
}

// ---------------------------------------------------------------------------------------------
// Building strings piece by piece. `text += piece` in a loop makes one V8 cons cell (32 bytes) per
// piece, so a 16-million-piece string costs half a gigabyte; arrays of pieces cost 8 bytes each.
// The builder joins every few thousand pieces into a chunk, so it holds little more than the
// text itself, and it fails as soon as the text passes its limit.

export class StringBuilder {
  private parts: string[] = [];
  private chunks: string[] | undefined;
  length = 0;

  constructor(
    readonly limit = MAX_STRING,
    private readonly onLimit: () => TemplateError = stringError,
  ) {}

  push(text: string): void {
    if (!text) return;
    this.length += text.length;
    if (this.length > this.limit) throw this.onLimit();
    this.parts.push(text);
    if (this.parts.length >= 4096) {
      (this.chunks ??= []).push(this.parts.join(''));
      this.parts = [];
      charge(4096);
    }
  }

  toString(): string {
    const tail = this.parts.join('');
    if (!this.chunks) return tail;
    this.chunks.push(tail);
    const text = this.chunks.join('');
    this.chunks = [text];
    this.parts = [];
    return text;
  }
}

// ---------------------------------------------------------------------------------------------
// The heap backstop. A render is synchronous, so the budget of the render in progress is a module
// variable; functions called outside a render (parsing a context) charge nothing.

class RenderBudget {
  private readonly baseline: number;
  private readonly allowed: number;
  private charged = 0;
  private ticks = 0;

  constructor() {
    const heap = getHeapStatistics();
    this.baseline = heap.used_heap_size;
    this.allowed = Math.min(
      MAX_HEAP_GROWTH,
      Math.max(32 * 1024 * 1024, (heap.heap_size_limit - heap.used_heap_size) / 2),
    );
  }

  charge(units: number): void {
    this.charged += units;
    if (this.charged >= 1 << 21) this.check();
  }

  tick(): void {
    if ((++this.ticks & 0x3ff) === 0) this.check();
  }

  private check(): void {
    this.charged = 0;
    if (getHeapStatistics().used_heap_size - this.baseline > this.allowed) {
      throw memoryError(
        `the template holds more than ${Math.round(this.allowed / 1048576)} MB of data while rendering`,
      );
    }
  }
}

let budget: RenderBudget | undefined;

/** Runs one render with its heap budget (nested calls share the outer render's). */
export function withRenderBudget<T>(action: () => T): T {
  if (budget) return action();
  budget = new RenderBudget();
  try {
    return action();
  } finally {
    budget = undefined;
  }
}

/** Counts an allocation of about `units` references or bytes; checks the heap every few million. */
export function charge(units: number): void {
  budget?.charge(units);
}

/** Counts one step of a loop or a call; checks the heap every thousand. */
export function tick(): void {
  budget?.tick();
}

/** PY_SSIZE_T_MAX: lengths, widths and counts beyond it are OverflowErrors in CPython. */
export const MAX_SSIZE = 2n ** 63n - 1n;

/** The number of bits of |value|. */
export function bitLength(value: bigint): number {
  const magnitude = value < 0n ? -value : value;
  if (magnitude < 1n << 52n) return magnitude === 0n ? 0 : Math.ceil(Math.log2(Number(magnitude) + 1)); // exact below 2^52
  return magnitude.toString(16).length * 4;
}

/**
 * JavaScript's own limits, as template errors: the call stack (a value nested too deeply for
 * repr, a recursion our depth limit does not count) and the sizes of strings, arrays and BigInts,
 * should a value pass our limits some way they do not foresee. Undefined for other errors.
 */
/** A RangeError of JavaScript's call stack, recognised without a RegExp (the stack may be nearly full). */
export function isStackOverflow(error: unknown): boolean {
  return error instanceof RangeError && typeof error.message === 'string' && error.message.includes('call stack');
}

export function javaScriptLimitError(error: unknown): TemplateError | undefined {
  if (!(error instanceof RangeError)) return undefined;
  // No RegExp here: this may run with the stack nearly full (compiling one overflowed it again).
  if (isStackOverflow(error)) {
    return new TemplateError(
      'runtime',
      'maximum recursion depth exceeded (a macro or include that calls itself without end, or a value nested too deeply?)',
    );
  }
  if (
    /Invalid (string|array|typed array) length|Array buffer allocation failed|Maximum BigInt size/i.test(error.message)
  ) {
    return memoryError(`the template builds a value larger than JavaScript allows (${error.message})`);
  }
  return undefined;
}
