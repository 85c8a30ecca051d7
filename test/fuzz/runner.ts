// A runner process: executes the cases its parent sends, one at a time, and says which step it
// is in, so that the parent can time a case, kill it when it hangs and name the step that hung.
import { disposeExecution, execute } from './execute';
import type { RunMessage, RunnerMessage } from './types';

function send(message: RunnerMessage): void {
  process.send?.(message);
}

process.on('message', (message: RunMessage) => {
  void execute(message.input, message.options, stage => send({ type: 'stage', id: message.id, stage })).then(result =>
    send({ type: 'result', id: message.id, result }),
  );
});

process.on('disconnect', () => {
  disposeExecution();
  process.exit(0);
});

send({ type: 'ready' });
