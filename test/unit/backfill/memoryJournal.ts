// A journal file in memory, for the backfill's unit tests: what was appended, and a way to fail
// the next appends (a full disk) to check that nothing is started that the journal does not know.
import type { JournalFile } from '../../../src/core/backfill/journal';

export class MemoryJournalFile implements JournalFile {
  appends = 0;
  failAppends: Error | undefined;

  constructor(public text: string | undefined = undefined) {}

  async read(): Promise<string | undefined> {
    return this.text;
  }

  async append(text: string): Promise<void> {
    if (this.failAppends) throw this.failAppends;
    this.appends++;
    this.text = (this.text ?? '') + text;
  }

  /** The entries of a given type, parsed. */
  entries(type?: string): Record<string, unknown>[] {
    return (this.text ?? '')
      .split('\n')
      .filter(l => l.trim())
      .map(l => JSON.parse(l) as Record<string, unknown>)
      .filter(e => type === undefined || e.t === type);
  }
}
