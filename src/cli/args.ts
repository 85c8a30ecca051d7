import * as path from 'path';
import { parseArgs } from 'util';

/** A mistake in the command line: reported with the usage text, exit 2. */
export class UsageError extends Error {}

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export function parse(args: string[], options: OptionSpec) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** --allow-folder DIR (repeatable): folders outside the project that its files may name. */
export const ALLOW_FOLDER_OPTION = { 'allow-folder': { type: 'string', multiple: true } } as const;

export function allowedFolders(values: Record<string, unknown>, cwd: string): string[] {
  const given = values['allow-folder'];
  return (Array.isArray(given) ? given : []).map(dir => path.resolve(cwd, String(dir)));
}
