// `lakehouse deploy` and `lakehouse emulator` end to end in the CLI: a copy of the sample project, the
// local emulator running with its state file in the project (as `lakehouse emulator start` leaves
// it), and the command's output, exit codes and JSON asserted with the factory's and the lake's state.
import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { emulatorStateDir } from '../../src/cli/operations/target';
import { lakehouse } from '../unit/helpers/cli';
import { SAMPLE_DIR } from '../unit/helpers/paths';

describe('lakehouse deploy --env local (the CLI against the local emulator)', () => {
  let dir: string;
  let emulator: EmulatorHandle;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-cli-deploy-'));
    fs.cpSync(SAMPLE_DIR, dir, { recursive: true });
    emulator = await startEmulator({ stateDir: emulatorStateDir(dir), project: dir });
  });

  after(async () => {
    await emulator?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('plans (dry run), deploys in the order of references, seeds watermarks, and a second deploy changes nothing', async () => {
    const dry = await lakehouse(['deploy', '--env', 'local', '--dry-run', '--format', 'json', '--project', dir], dir);
    assert.equal(dry.code, 0, dry.stderr);
    const planned = JSON.parse(dry.stdout) as {
      target: string;
      counts: Record<string, number>;
      changes: { kind: string; action: string }[];
    };
    assert.equal(planned.target, 'local emulator');
    assert.ok(planned.counts['create']! >= 5, dry.stdout);
    assert.equal(
      Object.keys(emulator.control.counts()).filter(k => /createOrUpdate/.test(k)).length,
      0,
      'a dry run writes nothing',
    );

    // The emulator's lake has the watermarks of earlier runs; one table's is missing (never run yet).
    const blobs = BlobServiceClient.fromConnectionString(emulator.storage!.connectionString);
    const bronze = blobs.getContainerClient('bronze');
    await bronze.getBlobClient('DimArtist_cdc/cdc.json').delete();
    const keptBefore = (await bronze.getBlobClient('FactStream_cdc/cdc.json').downloadToBuffer()).toString('utf8');

    const first = await lakehouse(['deploy', '--env', 'local', '--format', 'json', '--project', dir], dir);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout) as {
      status: string;
      artifacts: { kind: string; name: string; outcome: string }[];
      watermarks: { path: string; outcome: string }[];
    };
    assert.equal(report.status, 'applied');
    const order = report.artifacts.filter(a => a.outcome === 'created').map(a => a.kind);
    // Linked services before the datasets that use them, datasets before pipelines, triggers last.
    assert.ok(order.lastIndexOf('linkedService') < order.indexOf('dataset'), order.join());
    assert.ok(order.lastIndexOf('dataset') < order.indexOf('pipeline'), order.join());
    assert.ok(order.lastIndexOf('pipeline') < order.indexOf('trigger'), order.join());
    // The missing watermark is seeded as the pipeline's first run would write it; existing ones are data, never replaced.
    assert.deepEqual(
      report.watermarks.filter(w => w.outcome === 'created').map(w => w.path),
      ['DimArtist_cdc/cdc.json'],
    );
    assert.ok(report.watermarks.filter(w => w.outcome === 'exists').length >= 3, first.stdout);
    assert.match(
      (await bronze.getBlobClient('DimArtist_cdc/cdc.json').downloadToBuffer()).toString('utf8'),
      /^\{"cdc":/,
    );
    assert.equal(
      (await bronze.getBlobClient('FactStream_cdc/cdc.json').downloadToBuffer()).toString('utf8'),
      keptBefore,
    );

    const second = await lakehouse(['deploy', '--env', 'local', '--project', dir], dir);
    assert.equal(second.code, 0, second.stderr);
    assert.doesNotMatch(second.stdout, /^(created|updated|recreated|deleted)/m, second.stdout);
  });

  it('says what is wrong for an unknown environment, a stopped emulator and a protected environment', async () => {
    const unknown = await lakehouse(['deploy', '--env', 'nowhere', '--project', dir], dir);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /There is no environment 'nowhere'. Environments: dev, prod, local/);
    const protectedEnv = await lakehouse(['deploy', '--env', 'prod', '--project', dir], dir);
    assert.equal(protectedEnv.code, 1);
    assert.match(protectedEnv.stderr, /protected environment: add --confirm prod/);
    const missingEnv = await lakehouse(['deploy', '--project', dir], dir);
    assert.equal(missingEnv.code, 2);
    assert.match(missingEnv.stderr, /--env is required/);
    const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), 'lhwb-cli-noemu-'));
    try {
      fs.cpSync(SAMPLE_DIR, elsewhere, { recursive: true });
      const stopped = await lakehouse(['deploy', '--env', 'local', '--project', elsewhere], elsewhere);
      assert.equal(stopped.code, 2);
      assert.match(stopped.stderr, /The local emulator is not running. Start it with `lakehouse emulator start`/);
      const status = await lakehouse(['emulator', 'status', '--project', elsewhere], elsewhere);
      assert.equal(status.code, 0);
      assert.match(status.stdout, /not running/);
    } finally {
      fs.rmSync(elsewhere, { recursive: true, force: true });
    }
  });
});
