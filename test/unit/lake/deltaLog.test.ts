// Delta logs: file names by the protocol, commits as Spark, Databricks and delta-rs write them,
// the newest versions kept while a long log is listed, and bad content as problems.
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  classifyDeltaLogFile,
  commitFileName,
  DeltaLogListing,
  parseDeltaCommit,
  parseLastCheckpoint,
  summarizeParameters,
} from '../../../src/core/lake/deltaLog';

import { sparkCommit, v } from '../helpers/lakeFixtures';

describe('delta log', () => {
  it('names files by the protocol', () => {
    assert.deepEqual(classifyDeltaLogFile(`${v(7)}.json`), { kind: 'commit', version: 7, name: `${v(7)}.json` });
    assert.deepEqual(classifyDeltaLogFile(`${v(10)}.checkpoint.parquet`), {
      kind: 'checkpoint',
      version: 10,
      name: `${v(10)}.checkpoint.parquet`,
    });
    assert.deepEqual(classifyDeltaLogFile(`${v(20)}.checkpoint.0000000001.0000000002.parquet`).kind, 'checkpoint');
    assert.deepEqual(classifyDeltaLogFile(`${v(30)}.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json`), {
      kind: 'checkpoint',
      version: 30,
      name: `${v(30)}.checkpoint.80a083e8-7026-4e79-81be-64bd76c43a11.json`,
    });
    assert.equal(classifyDeltaLogFile(`${v(7)}.crc`).kind, 'checksum');
    assert.equal(classifyDeltaLogFile(`${v(1)}.${v(9)}.compacted.json`).kind, 'compacted');
    assert.equal(classifyDeltaLogFile('_last_checkpoint').kind, 'lastCheckpoint');
    assert.equal(classifyDeltaLogFile('7.json').kind, 'other');
    assert.equal(classifyDeltaLogFile(`.${v(7)}.json.crc`).kind, 'other');
    assert.equal(commitFileName(12), `${v(12)}.json`);
  });

  it('reads a Spark commit: time, operation, parameters, metrics, engine, actions', () => {
    const commit = parseDeltaCommit(0, sparkCommit(0, 'WRITE', 3), { size: 999 });
    assert.deepEqual(commit, {
      version: 0,
      size: 999,
      timestamp: 1_700_000_000_000,
      timestampSource: 'commitInfo',
      operation: 'WRITE',
      parameters: 'mode=Append, partitionBy=[]',
      metrics: 'numOutputRows=30, numFiles=3, numOutputBytes=1234',
      engine: 'Apache-Spark/3.5.1 Delta-Lake/3.2.0',
      actions: { add: 3, remove: 0, metaData: 1, protocol: 1, other: 0 },
    });
  });

  it('prefers inCommitTimestamp, reads delta-rs commits, and falls back to the file time', () => {
    const ict = parseDeltaCommit(
      3,
      JSON.stringify({ commitInfo: { inCommitTimestamp: 5, timestamp: 9, operation: 'MERGE' } }),
    );
    assert.equal(ict.timestamp, 5);
    assert.equal(ict.timestampSource, 'inCommitTimestamp');
    const rs = parseDeltaCommit(
      1,
      JSON.stringify({
        commitInfo: {
          timestamp: 7,
          operation: 'WRITE',
          operationParameters: { mode: 'Overwrite' },
          clientVersion: 'delta-rs.0.18.2',
        },
      }),
    );
    assert.equal(rs.engine, 'delta-rs.0.18.2');
    assert.equal(rs.parameters, 'mode=Overwrite');
    const bare = parseDeltaCommit(2, JSON.stringify({ add: { path: 'a' } }), { lastModified: new Date(42) });
    assert.equal(bare.timestamp, 42);
    assert.equal(bare.timestampSource, 'fileLastModified');
    assert.match(bare.problem ?? '', /no commitInfo/);
  });

  it('a head of a big commit: the cut last line is left out, the counts marked partial', () => {
    const text = sparkCommit(5, 'WRITE', 2000);
    const head = text.slice(0, 64 * 1024);
    const commit = parseDeltaCommit(5, head, { truncated: true });
    assert.equal(commit.operation, 'WRITE');
    assert.equal(commit.partial, true);
    assert.ok(commit.actions!.add > 100 && commit.actions!.add < 2000);
    assert.equal(commit.problem, undefined, 'the cut line is not reported as bad JSON');
    const noInfo = parseDeltaCommit(6, `${JSON.stringify({ add: { path: 'x'.repeat(10) } })}\n{"add":`, {
      truncated: true,
    });
    assert.match(noInfo.problem ?? '', /No commitInfo in the first 64 KiB/);
  });

  it('bad lines and bad files are problems, never throws', () => {
    const commit = parseDeltaCommit(1, 'not json\n[1,2]\n{"commitInfo":{"operation":"DELETE","timestamp":1}}\n');
    assert.equal(commit.operation, 'DELETE');
    assert.match(commit.problem ?? '', /2 line\(s\)/);
    for (const text of ['', '\u0000\u0001', '{"commitInfo": 3}', '{"commitInfo":{"timestamp":"soon","operation":7}}'])
      assert.equal(parseDeltaCommit(0, text).version, 0);
  });

  it('summarizes parameters: JSON-encoded strings decoded, long values cut', () => {
    assert.equal(
      summarizeParameters({ mode: '"Append"', partitionBy: '["country"]' }),
      'mode=Append, partitionBy=["country"]',
    );
    assert.equal(summarizeParameters({ n: 3, flag: true }), 'n=3, flag=true');
    const long = summarizeParameters({ predicate: `["${'x'.repeat(500)}"]` });
    assert.ok(long.length <= 400 && long.endsWith('…'));
  });

  it('keeps the newest commits of a long listing, newest first, and every checkpoint', () => {
    const listing = new DeltaLogListing(5);
    for (let version = 0; version <= 1234; version++) {
      listing.add(`${v(version)}.json`, 100 + version);
      listing.add(`${v(version)}.crc`);
      if (version % 10 === 0 && version > 0) listing.add(`${v(version)}.checkpoint.parquet`);
    }
    listing.add('_last_checkpoint');
    listing.add('_commits'); // a stray name
    assert.deepEqual(
      listing.newestCommits().map(c => c.version),
      [1234, 1233, 1232, 1231, 1230],
    );
    assert.equal(listing.newestCommits()[0]!.size, 1334);
    assert.equal(listing.commitCount, 1235);
    assert.equal(listing.latestVersion, 1234);
    assert.equal(listing.oldestVersion, 0);
    assert.deepEqual(listing.checkpoints(), [1230, 1220, 1210, 1200, 1190]);
    assert.equal(listing.hasLastCheckpoint, true);
    assert.equal(listing.otherFiles, 1);
  });

  it('_last_checkpoint', () => {
    assert.deepEqual(parseLastCheckpoint('{"version":10,"size":13,"sizeInBytes":2000}'), { version: 10, size: 13 });
    assert.deepEqual(parseLastCheckpoint('\uFEFF{"version":20,"parts":3}\n'), { version: 20, parts: 3 });
    assert.deepEqual(parseLastCheckpoint('{'), { problem: '_last_checkpoint is not JSON.' });
    assert.deepEqual(parseLastCheckpoint('{"version":"10"}'), { problem: '_last_checkpoint has no version number.' });
  });
});
