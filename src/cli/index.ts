import { main } from './main';
import { redactSecrets } from '../core/text/redact';

// Exit codes: 0 ok, 1 problems found, 2 usage or I/O error, 3 internal error.
main(process.argv.slice(2), {
  // Nothing the CLI prints carries a secret: CI logs are kept and shared.
  stdout: s => process.stdout.write(redactSecrets(s)),
  stderr: s => process.stderr.write(redactSecrets(s)),
  cwd: process.cwd(),
  color: !!process.stdout.isTTY && !process.env.NO_COLOR,
  onInterrupt: handler => {
    const onInt = () => handler('SIGINT');
    const onTerm = () => handler('SIGTERM');
    process.on('SIGINT', onInt);
    process.on('SIGTERM', onTerm);
    return () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    };
  },
}).then(
  code => {
    process.exitCode = code;
  },
  e => {
    process.stderr.write(redactSecrets(`lakehouse: internal error: ${(e as Error)?.stack ?? String(e)}\n`));
    process.exitCode = 3;
  },
);
