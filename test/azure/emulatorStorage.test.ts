// The emulator's Azurite, seeded from the Spotify sample, read with the real @azure/storage-blob
// client: the zones' containers, bronze parquet files whose footers hyparquet reads, each
// incremental table's watermark where the generated pipeline reads it, Delta logs in silver/gold.
import { strict as assert } from 'assert';
import { after, before, describe, it } from 'node:test';
import { BlobServiceClient } from '@azure/storage-blob';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import { startEmulator, type EmulatorHandle } from '../../src/emulator';
import { SAMPLE_DIR } from '../unit/helpers/paths';

async function names(service: BlobServiceClient, container: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for await (const b of service.getContainerClient(container).listBlobsFlat({ prefix })) out.push(b.name);
  return out;
}

describe('local emulator: Azurite seeded from the Spotify sample', () => {
  let emulator: EmulatorHandle;
  let service: BlobServiceClient;

  before(async () => {
    emulator = await startEmulator({ project: SAMPLE_DIR });
    service = BlobServiceClient.fromConnectionString(emulator.storage!.connectionString);
  });
  after(async () => {
    await emulator?.stop();
  });

  it('creates a container per lake zone', async () => {
    const containers: string[] = [];
    for await (const c of service.listContainers()) containers.push(c.name);
    assert.deepEqual(containers.sort(), ['bronze', 'gold', 'silver']);
    assert.deepEqual(emulator.seeded?.containersCreated.sort(), ['bronze', 'gold', 'silver']);
  });

  it('writes bronze parquet files per table, named as the generated copy names them, with real footers', async () => {
    const files = (await names(service, 'bronze', 'DimUser/')).filter(n => n.endsWith('.parquet'));
    assert.equal(files.length, 2);
    for (const f of files) assert.match(f, /^DimUser\/DimUser_\d{14}_[0-9a-f-]{36}\.parquet$/);
    const bytes = await service.getContainerClient('bronze').getBlobClient(files[0]!).downloadToBuffer();
    const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const footer = parquetMetadata(buffer);
    assert.equal(Number(footer.num_rows), 4);
    assert.deepEqual(
      footer.schema.slice(1).map(s => s.name),
      ['user_id', 'user_name', 'country', 'subscription_type', 'start_date', 'end_date', 'updated_at'],
    );
    const rows = await parquetReadObjects({ file: buffer });
    assert.equal(rows[0]!['user_id'], 1001);
    assert.ok(rows[0]!['updated_at'] instanceof Date);
  });

  it('seeds each incremental table\'s watermark at <bronze>/<folder>_cdc/cdc.json, {"cdc": yyyy-MM-ddTHH:mm:ss.fffffff}', async () => {
    const watermarks = (await names(service, 'bronze')).filter(n => n.endsWith('_cdc/cdc.json')).sort();
    assert.deepEqual(watermarks, [
      'DimArtist_cdc/cdc.json',
      'DimDate_cdc/cdc.json',
      'DimTrack_cdc/cdc.json',
      'DimUser_cdc/cdc.json',
      'FactStream_cdc/cdc.json',
    ]);
    const text = (
      await service.getContainerClient('bronze').getBlobClient('DimUser_cdc/cdc.json').downloadToBuffer()
    ).toString('utf8');
    const value = (JSON.parse(text) as { cdc: string }).cdc;
    assert.match(value, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}$/);
    assert.equal(emulator.seeded?.watermarks.find(w => w.path === 'DimUser_cdc/cdc.json')?.value, value);
  });

  it('writes Delta tables in silver and gold: a _delta_log of JSON commits over real parquet files', async () => {
    const silver = await names(service, 'silver', 'DimUser/');
    const logs = silver.filter(n => n.includes('/_delta_log/')).sort();
    assert.deepEqual(logs, [
      'DimUser/_delta_log/00000000000000000000.json',
      'DimUser/_delta_log/00000000000000000001.json',
      'DimUser/_delta_log/00000000000000000002.json',
    ]);
    const first = (await service.getContainerClient('silver').getBlobClient(logs[0]!).downloadToBuffer()).toString(
      'utf8',
    );
    const actions = first
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, Record<string, unknown>>);
    assert.deepEqual(
      actions.map(a => Object.keys(a)[0]),
      ['commitInfo', 'protocol', 'metaData', 'add'],
    );
    const schema = JSON.parse(actions[2]!['metaData']!['schemaString'] as string) as {
      fields: { name: string; type: string }[];
    };
    assert.deepEqual(schema.fields.slice(0, 2), [
      { name: 'user_id', type: 'integer', nullable: false, metadata: {} },
      { name: 'user_name', type: 'string', nullable: true, metadata: {} },
    ]);
    const added = actions[3]!['add']!['path'] as string;
    assert.ok(silver.includes(`DimUser/${added}`), 'the add action names a file that is there');

    const gold = await names(service, 'gold', 'dim_user/_delta_log/');
    assert.equal(gold.length, 3);
    const merge = (await service.getContainerClient('gold').getBlobClient(gold.sort()[2]!).downloadToBuffer()).toString(
      'utf8',
    );
    const mergeActions = merge
      .trim()
      .split('\n')
      .map(l => JSON.parse(l) as Record<string, Record<string, unknown>>);
    assert.equal(mergeActions[0]!['commitInfo']!['operation'], 'MERGE');
    assert.ok(mergeActions.some(a => a['remove']));
    const scd2 = JSON.parse(
      (
        await service
          .getContainerClient('gold')
          .getBlobClient('dim_user/_delta_log/00000000000000000000.json')
          .downloadToBuffer()
      )
        .toString('utf8')
        .split('\n')
        .find(l => l.includes('"metaData"'))!,
    ) as { metaData: { schemaString: string } };
    assert.match(scd2.metaData.schemaString, /__START_AT.*__END_AT/);
    assert.ok((await names(service, 'gold', 'fact_stream/')).length >= 6);
  });
});

describe('local emulator: a persistent lake is seeded once', () => {
  it('keeps existing containers on a restart over the same --location', async () => {
    const fs = await import('fs');
    const os = await import('os');
    const path = await import('path');
    const location = fs.mkdtempSync(path.join(os.tmpdir(), 'lakehouse-emu-lake-'));
    try {
      const first = await startEmulator({ project: SAMPLE_DIR, storage: { location } });
      const written = first.seeded!.blobsWritten;
      const service = BlobServiceClient.fromConnectionString(first.storage!.connectionString);
      await service
        .getContainerClient('bronze')
        .getBlockBlobClient('DimUser_cdc/cdc.json')
        .upload('{"cdc":"moved"}', 15);
      await first.stop();
      const second = await startEmulator({ project: SAMPLE_DIR, storage: { location } });
      try {
        assert.ok(written > 40);
        assert.deepEqual(second.seeded!.containersKept.sort(), ['bronze', 'gold', 'silver']);
        assert.equal(second.seeded!.blobsWritten, 0);
        const again = BlobServiceClient.fromConnectionString(second.storage!.connectionString);
        const text = (
          await again.getContainerClient('bronze').getBlobClient('DimUser_cdc/cdc.json').downloadToBuffer()
        ).toString('utf8');
        assert.equal(text, '{"cdc":"moved"}');
      } finally {
        await second.stop();
      }
    } finally {
      fs.rmSync(location, { recursive: true, force: true });
    }
  });
});
