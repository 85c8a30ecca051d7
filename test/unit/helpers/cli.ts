import { main } from '../../../src/cli/main';

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process, capturing what it prints. */
export async function lakehouse(argv: string[], cwd: string): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: s => (stdout += s), stderr: s => (stderr += s), cwd, color: false });
  return { code, stdout, stderr };
}
