// Started triggers fire runs in the emulator, as in ADF, seen through the real SDK: a tumbling
// window trigger catches up on its ended windows (maxConcurrency at a time, each run with its
// window), replays them when recreated, refuses a changed frequency, and reruns a failed window;
// a schedule trigger fires at its occurrences. The clock is manual: the test moves time.
import { strict as assert } from 'assert';
import { after, before, describe, it } from 'node:test';
import type { DataFactoryManagementClient, TriggerResource } from '@azure/arm-datafactory';
import {
  startEmulator,
  LOCAL_FACTORY as DF,
  LOCAL_RESOURCE_GROUP as RG,
  type EmulatorHandle,
} from '../../src/emulator';
import { adfClient } from './helpers/emulatorClients';

const HOUR = 3_600_000;

describe('local emulator: triggers fire runs', () => {
  let emulator: EmulatorHandle;
  let client: DataFactoryManagementClient;
  const runsOf = (pipeline: string) => emulator.control.runs().filter(r => r['pipelineName'] === pipeline);
  const tick = (ms: number) => emulator.control.clock.advance(ms);

  before(async () => {
    emulator = await startEmulator({
      storage: false,
      manualClock: true,
      adf: { armBuckets: false, monitoringQueriesPerMinute: false },
    });
    client = adfClient(emulator);
    await client.pipelines.createOrUpdate(RG, DF, 'p_window', {
      parameters: { window_start: { type: 'String' }, window_end: { type: 'String' } },
      activities: [{ name: 'copy', type: 'Copy' } as never],
    });
  });
  after(async () => {
    await emulator?.stop();
  });

  const tumbling = (startTime: string, frequency = 'Hour'): TriggerResource => ({
    properties: {
      type: 'TumblingWindowTrigger',
      pipeline: {
        pipelineReference: { referenceName: 'p_window', type: 'PipelineReference' },
        parameters: {
          window_start: "@formatDateTime(trigger().outputs.windowStartTime, 'yyyy-MM-ddTHH:mm:ss')",
          window_end: '@trigger().outputs.windowEndTime',
        },
      },
      frequency,
      interval: 1,
      startTime: new Date(startTime),
      maxConcurrency: 2,
    } as never,
  });

  it('a tumbling window trigger runs every ended window, maxConcurrency at a time, and records each window', async () => {
    const now = emulator.control.clock.now();
    const start = new Date(Math.floor(now / HOUR) * HOUR - 5 * HOUR).toISOString();
    await client.triggers.createOrUpdate(RG, DF, 'tw', tumbling(start));
    await (await client.triggers.beginStart(RG, DF, 'tw')).pollUntilDone();
    assert.equal(runsOf('p_window').length, 2, 'two windows at a time');
    for (let i = 0; i < 20; i++) tick(10);
    const runs = runsOf('p_window');
    assert.equal(runs.length, 5);
    assert.ok(runs.every(r => r['status'] === 'Succeeded'));
    const windows = runs.map(r => (r['parameters'] as Record<string, string>)['window_start']);
    assert.deepEqual(
      windows,
      [0, 1, 2, 3, 4].map(h => new Date(Date.parse(start) + h * HOUR).toISOString().slice(0, 19)),
    );
    assert.ok(runs.every(r => (r['invokedBy'] as { invokedByType: string }).invokedByType === 'TumblingWindowTrigger'));

    const triggerRuns = await client.triggerRuns.queryByFactory(RG, DF, {
      lastUpdatedAfter: new Date(now - HOUR),
      lastUpdatedBefore: new Date(emulator.control.clock.now() + HOUR),
      filters: [{ operand: 'TriggerName', operator: 'Equals', values: ['tw'] }],
    });
    assert.equal(triggerRuns.value.length, 5);
    assert.ok(triggerRuns.value.every(t => t.status === 'Succeeded' && t.triggerName === 'tw'));

    // The next window fires once it has ended.
    tick(HOUR);
    for (let i = 0; i < 5; i++) tick(10);
    assert.equal(runsOf('p_window').length, 6);
  });

  it('refuses a new frequency; deleting and recreating the trigger replays its windows', async () => {
    await (await client.triggers.beginStop(RG, DF, 'tw')).pollUntilDone();
    const existing = await client.triggers.get(RG, DF, 'tw');
    const start = (existing.properties as unknown as { startTime: Date }).startTime.toISOString();
    await assert.rejects(
      client.triggers.createOrUpdate(RG, DF, 'tw', tumbling(start, 'Minute')),
      (e: { statusCode?: number; code?: string }) =>
        e.statusCode === 400 && e.code === 'TumblingWindowTriggerFrequencyOrIntervalUpdateNotAllowed',
    );
    const before = runsOf('p_window').length;
    await client.triggers.delete(RG, DF, 'tw');
    await client.triggers.createOrUpdate(RG, DF, 'tw', tumbling(start));
    await (await client.triggers.beginStart(RG, DF, 'tw')).pollUntilDone();
    for (let i = 0; i < 30; i++) tick(10);
    assert.equal(runsOf('p_window').length - before, 6, 'every window again, from the start time');
    await (await client.triggers.beginStop(RG, DF, 'tw')).pollUntilDone();
  });

  it('a failed window can be rerun by its trigger run', async () => {
    emulator.control.outcomes.add({ pipeline: 'p_window', times: 1, message: 'source offline' });
    const now = emulator.control.clock.now();
    await client.triggers.createOrUpdate(RG, DF, 'tw_one', {
      ...tumbling(new Date(Math.floor(now / HOUR) * HOUR - HOUR).toISOString()),
    });
    await (await client.triggers.beginStart(RG, DF, 'tw_one')).pollUntilDone();
    for (let i = 0; i < 5; i++) tick(10);
    const query = () =>
      client.triggerRuns.queryByFactory(RG, DF, {
        lastUpdatedAfter: new Date(now - HOUR),
        lastUpdatedBefore: new Date(emulator.control.clock.now() + HOUR),
        filters: [{ operand: 'TriggerName', operator: 'Equals', values: ['tw_one'] }],
      });
    const failed = (await query()).value;
    assert.deepEqual(
      failed.map(t => t.status),
      ['Failed'],
    );
    await client.triggerRuns.rerun(RG, DF, 'tw_one', failed[0]!.triggerRunId!);
    for (let i = 0; i < 5; i++) tick(10);
    assert.deepEqual(
      (await query()).value.map(t => t.status),
      ['Succeeded'],
    );
    await (await client.triggers.beginStop(RG, DF, 'tw_one')).pollUntilDone();
  });

  it('a schedule trigger fires at each occurrence after it starts, and not after it stops', async () => {
    await client.pipelines.createOrUpdate(RG, DF, 'p_scheduled', { activities: [] });
    await client.triggers.createOrUpdate(RG, DF, 'every_minute', {
      properties: {
        type: 'ScheduleTrigger',
        pipelines: [{ pipelineReference: { referenceName: 'p_scheduled', type: 'PipelineReference' } }],
        recurrence: { frequency: 'Minute', interval: 1, startTime: new Date('2020-01-01T00:00:00Z'), timeZone: 'UTC' },
      } as never,
    });
    await (await client.triggers.beginStart(RG, DF, 'every_minute')).pollUntilDone();
    assert.equal(runsOf('p_scheduled').length, 0, 'no catch-up on past occurrences');
    tick(3 * 60_000);
    assert.equal(runsOf('p_scheduled').length, 3);
    assert.equal(
      (runsOf('p_scheduled')[0]!['invokedBy'] as { invokedByType: string }).invokedByType,
      'ScheduleTrigger',
    );
    await (await client.triggers.beginStop(RG, DF, 'every_minute')).pollUntilDone();
    tick(3 * 60_000);
    assert.equal(runsOf('p_scheduled').length, 3);
  });
});
