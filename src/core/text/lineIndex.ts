/** Zero-based position, as in LSP and VS Code. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/** Half-open character offsets [start, end) into a file's text. */
export type Span = readonly [number, number];

/**
 * Maps character offsets to line/character positions. Built lazily: most files never need a
 * position because they have no diagnostics.
 */
export class LineIndex {
  private lineStarts: number[] | undefined;

  constructor(private readonly text: string) {}

  private starts(): number[] {
    if (!this.lineStarts) {
      const starts = [0];
      const text = this.text;
      for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 10) starts.push(i + 1);
        else if (c === 13) {
          if (text.charCodeAt(i + 1) === 10) i++;
          starts.push(i + 1);
        }
      }
      this.lineStarts = starts;
    }
    return this.lineStarts;
  }

  positionAt(offset: number): Position {
    const starts = this.starts();
    const clamped = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= clamped) lo = mid;
      else hi = mid - 1;
    }
    // A position is never past its line's text: an offset on a line break (between the CR and the
    // LF of a CRLF, say) is the end of that line, as editors count it.
    const lineStart = starts[lo] as number;
    let lineEnd = lo + 1 < starts.length ? (starts[lo + 1] as number) : this.text.length;
    if (lineEnd > lineStart && this.text.charCodeAt(lineEnd - 1) === 10) lineEnd--;
    if (lineEnd > lineStart && this.text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    return { line: lo, character: Math.min(clamped, lineEnd) - lineStart };
  }

  offsetAt(position: Position): number {
    const starts = this.starts();
    if (position.line >= starts.length) return this.text.length;
    const lineStart = starts[Math.max(0, position.line)] as number;
    const next = position.line + 1 < starts.length ? (starts[position.line + 1] as number) : this.text.length;
    return Math.min(lineStart + Math.max(0, position.character), next);
  }

  rangeOf(span: Span): Range {
    // A span that ends before it starts (a parser's off-by-one) becomes empty, at its start.
    const start = this.positionAt(span[0]);
    const end = span[1] > span[0] ? this.positionAt(span[1]) : start;
    return { start, end };
  }

  get lineCount(): number {
    return this.starts().length;
  }
}
