// The emulator as `lakehouse emulator start` runs it: a detached process found through its state
// file, steered through its control API from this process, used with the real SDK clients, and
// stopped by its pid with Azurite and the state file gone.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { EmulatorControlClient, startEmulatorProcess, stopEmulatorProcess } from '../../src/emulator/process';
import { processAlive, readStateFile } from '../../src/emulator/stateFile';
import { SAMPLE_DIR } from '../unit/helpers/paths';
import { adfClient, eventually } from './helpers/emulatorClients';

// Compiled beside this test: out-*/test/azure → out-*/src/emulator/main.js
const ENTRY = path.resolve(__dirname, '..', '..', 'src', 'emulator', 'main.js');

describe('local emulator as a background process', () => {
  const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-emu-process-'));
  after(async () => {
    await stopEmulatorProcess(stateDir);
    fs.rmSync(stateDir, { recursive: true, force: true });
  });

  it('starts detached, answers as `local`, is steered from another process, and stops cleanly', async () => {
    const state = await startEmulatorProcess({ entry: ENTRY, stateDir, project: SAMPLE_DIR, timing: 'test' });
    assert.equal(state.environment, 'local');
    assert.equal(state.label, 'local emulator');
    assert.ok(processAlive(state.pid) && state.pid !== process.pid);
    await assert.rejects(startEmulatorProcess({ entry: ENTRY, stateDir }), /already running/);

    const control = new EmulatorControlClient(state);
    assert.equal((await control.health()).label, 'local emulator');
    const client = adfClient({ adf: state.adf });
    await client.pipelines.createOrUpdate(state.adf.resourceGroup, state.adf.factory, 'p', {
      activities: [{ name: 'copy', type: 'Copy' } as never],
    });
    await control.addOutcomes({ pipeline: 'p', message: 'set from another process' });
    const { runId } = await client.pipelines.createRun(state.adf.resourceGroup, state.adf.factory, 'p');
    const run = await eventually(async () => {
      const r = await client.pipelineRuns.get(state.adf.resourceGroup, state.adf.factory, runId);
      return r.status === 'Failed' ? r : undefined;
    });
    assert.match(run.message ?? '', /set from another process/);
    assert.equal((await control.runs()).length, 1);
    await control.addFaults({ operation: 'factories.get', kind: 'status', status: 409, times: 1 });
    await assert.rejects(
      client.factories.get(state.adf.resourceGroup, state.adf.factory),
      (e: { statusCode?: number }) => e.statusCode === 409,
    );
    assert.equal((await control.counts())['factories.get'], 1);

    const blobs = BlobServiceClient.fromConnectionString(state.storage!.connectionString);
    assert.ok(await blobs.getContainerClient('bronze').getBlobClient('DimUser_cdc/cdc.json').exists());

    const stopped = await stopEmulatorProcess(stateDir);
    assert.equal(stopped.stopped, true);
    assert.equal(processAlive(state.pid), false);
    await eventually(() => (processAlive(state.storage!.azuritePid) ? undefined : true), 10_000, 'Azurite to exit');
    assert.deepEqual(readStateFile(stateDir), { kind: 'none' });
    assert.match((await stopEmulatorProcess(stateDir)).message, /No emulator is recorded/);
  });

  it('after a crash (SIGKILL) the state file is stale, and stop removes it and the Azurite left behind', async () => {
    const state = await startEmulatorProcess({ entry: ENTRY, stateDir, timing: 'test' });
    process.kill(state.pid, 'SIGKILL');
    await eventually(() => (processAlive(state.pid) ? undefined : true), 5_000, 'the emulator to die');
    assert.equal(readStateFile(stateDir).kind, 'stale');
    assert.ok(processAlive(state.storage!.azuritePid), 'Azurite outlived its parent');
    const stopped = await stopEmulatorProcess(stateDir);
    assert.equal(stopped.stopped, false);
    assert.match(stopped.message, /was not running/);
    await eventually(() => (processAlive(state.storage!.azuritePid) ? undefined : true), 10_000, 'Azurite to exit');
    assert.deepEqual(readStateFile(stateDir), { kind: 'none' });
  });
});
