import { main } from './main';

// Exit codes: 0 ok, 1 problems found, 2 usage or I/O error, 3 internal error.
main(process.argv.slice(2), {
  stdout: s => process.stdout.write(s),
  stderr: s => process.stderr.write(s),
  cwd: process.cwd(),
  color: !!process.stdout.isTTY && !process.env.NO_COLOR,
}).then(
  code => {
    process.exitCode = code;
  },
  e => {
    process.stderr.write(`lakehouse: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    process.exitCode = 3;
  },
);
