import { review } from '../editor/review';

export interface Confirmation {
  title: string;
  /** The question, where the list's filter would be. */
  placeholder: string;
  /** The item that goes ahead ("Cancel Run", "Rerun from Failure"). */
  proceed: { label: string; detail?: string };
  /** The item that changes nothing, first and active: Enter or Escape goes nowhere. */
  keep: { label: string; description?: string };
  /** What to read before choosing, listed under `notesTitle`; choosing one does nothing. */
  notesTitle?: string;
  notes?: { label: string; description?: string }[];
}

/**
 * A question before a command changes something in the factory, as a list (no modal dialog): the
 * review list Deploy uses, without diffs. True only when the user chose the proceed item.
 */
export function confirmPick(c: Confirmation): Promise<boolean> {
  return review({
    title: c.title,
    placeholder: c.placeholder,
    proceed: c.proceed.label,
    ...(c.proceed.detail ? { proceedDetail: c.proceed.detail } : {}),
    cancelLabel: c.keep.label,
    cancel: c.keep.description ?? '',
    sections: c.notes?.length ? [{ label: c.notesTitle ?? 'Read first', items: c.notes }] : [],
  });
}
