// Seeding the watermark files on the wire: BlobWatermarkStore on @azure/storage-blob against Azurite
// (started by the emulator). A seed is created only where no file exists, and the service itself
// refuses to replace one (If-None-Match: *), so a watermark the pipeline wrote is never overwritten.
import { strict as assert } from 'assert';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { NodeFileHost } from '../../src/core/files/nodeFileHost';
import { loadProjectAt } from '../../src/core/project/loadProject';
import { planWatermarkSeeds, seedWatermarks, watermarkSeeds, type WatermarkSeed } from '../../src/core/deploy';
import { BlobWatermarkStore } from '../../src/azure/adf';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { SAMPLE_DIR } from '../unit/helpers/paths';

describe('watermark seeding over the wire (Azurite)', () => {
  let emulator: EmulatorHandle;
  let service: BlobServiceClient;
  let seeds: WatermarkSeed[];

  before(async () => {
    emulator = await startEmulator();
    service = BlobServiceClient.fromConnectionString(emulator.storage!.connectionString);
    seeds = watermarkSeeds((await loadProjectAt(new NodeFileHost(), SAMPLE_DIR)).metadata).seeds;
  });
  after(async () => {
    await emulator?.stop();
  });

  const read = async (container: string, path: string) =>
    (await service.getContainerClient(container).getBlobClient(path).downloadToBuffer()).toString('utf8');

  it("seeds the sample's five watermark files where none exists, and keeps the one the pipeline already wrote", async () => {
    const bronze = service.getContainerClient('bronze');
    await bronze.createIfNotExists();
    const written = '{"cdc":"2026-12-08T02:00:00.0000000"}';
    await bronze.getBlockBlobClient('FactStream_cdc/cdc.json').upload(written, written.length);
    const store = new BlobWatermarkStore(service);

    const plan = await planWatermarkSeeds(store, seeds);
    assert.deepEqual(
      plan.map(p => `${p.action} ${p.seed.path}`),
      [
        'create DimUser_cdc/cdc.json',
        'create DimArtist_cdc/cdc.json',
        'create DimTrack_cdc/cdc.json',
        'create DimDate_cdc/cdc.json',
        'exists FactStream_cdc/cdc.json',
      ],
    );
    const results = await seedWatermarks(store, seeds);
    assert.deepEqual(
      results.map(r => r.outcome),
      ['created', 'created', 'created', 'created', 'exists'],
    );
    assert.equal(await read('bronze', 'DimUser_cdc/cdc.json'), '{"cdc":"1900-01-01T00:00:00.0000000"}');
    assert.equal(await read('bronze', 'FactStream_cdc/cdc.json'), written, 'never overwritten');
    const properties = await bronze.getBlobClient('DimUser_cdc/cdc.json').getProperties();
    assert.equal(properties.contentType, 'application/json');

    // Seeding again changes nothing: the service refuses to replace what exists.
    const etag = properties.etag;
    assert.deepEqual(
      (await seedWatermarks(store, seeds)).map(r => r.outcome),
      ['exists', 'exists', 'exists', 'exists', 'exists'],
    );
    assert.equal((await bronze.getBlobClient('DimUser_cdc/cdc.json').getProperties()).etag, etag);
    assert.equal(
      await store.createIfAbsent('bronze', 'DimUser_cdc/cdc.json', '{"cdc":"2030-01-01T00:00:00.0000000"}'),
      false,
    );
    assert.equal(await read('bronze', 'DimUser_cdc/cdc.json'), '{"cdc":"1900-01-01T00:00:00.0000000"}');
  });

  it('reports a missing container per file, with a clear message', async () => {
    const store = new BlobWatermarkStore(service);
    const elsewhere = seeds.slice(0, 1).map(s => ({ ...s, container: 'no-such-container' }));
    const [result] = await seedWatermarks(store, elsewhere);
    assert.equal(result!.outcome, 'failed');
    assert.equal(
      result!.message,
      'Could not write no-such-container/DimUser_cdc/cdc.json: the container does not exist in storage account ' +
        "'devstoreaccount1'. Create the lake's containers first.",
    );
  });
});
