// Triggers in a deploy: only triggers that change are stopped, each keeps its state, a pipeline's
// change stops nothing, a tumbling-window trigger whose startTime, frequency or interval changes is
// recreated with a warning of the replay, event triggers are subscribed before they start, and
// times are passed in UTC (a wall-clock time in another zone is a note, never converted).
import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JsonObject } from '../../../src/core/adf/generate/adfJson';
import {
  planDeploy,
  triggerTimes,
  windowsUntil,
  type LocalArtifacts,
  type RemoteArtifact,
} from '../../../src/core/deploy';
import { blobEventsTrigger, edited, folder, pipeline, scheduleTrigger, tumblingTrigger } from './builders';

function factoryOf(
  local: LocalArtifacts,
  states: Record<string, 'Started' | 'Stopped'> = {},
): { artifacts: RemoteArtifact[] } {
  return {
    artifacts: local.artifacts.map(a => {
      const properties = structuredClone(a.value.properties as JsonObject);
      if (a.kind === 'trigger') properties.runtimeState = states[a.name] ?? 'Stopped';
      return { kind: a.kind, name: a.name, value: { name: a.name, properties } };
    }),
  };
}

const steps = (plan: ReturnType<typeof planDeploy>) => plan.steps.map(s => `${s.op}:${s.name}`);
const NOW = new Date('2024-01-11T12:00:00Z');

describe('deploy plan: triggers', () => {
  const base = folder(
    pipeline('pl'),
    scheduleTrigger('tr_on', ['pl']),
    scheduleTrigger('tr_off', ['pl']),
    scheduleTrigger('tr_same', ['pl']),
  );
  const states = { tr_on: 'Started', tr_off: 'Stopped', tr_same: 'Started' } as const;

  it('stops only the triggers that change, restarts those that ran, and leaves a Stopped one stopped', () => {
    const changed = folder(
      pipeline('pl'),
      edited(
        scheduleTrigger('tr_on', ['pl']),
        v => ((((v.properties as JsonObject).typeProperties as JsonObject).recurrence as JsonObject).interval = 2),
      ),
      edited(
        scheduleTrigger('tr_off', ['pl']),
        v => ((((v.properties as JsonObject).typeProperties as JsonObject).recurrence as JsonObject).interval = 3),
      ),
      scheduleTrigger('tr_same', ['pl']),
    );
    const plan = planDeploy(changed, factoryOf(base, states));
    assert.deepEqual(steps(plan), ['stopTrigger:tr_on', 'put:tr_off', 'put:tr_on', 'startTrigger:tr_on']);
    const on = plan.changes.find(c => c.name === 'tr_on')!.trigger!;
    assert.deepEqual(on, {
      type: 'ScheduleTrigger',
      stateBefore: 'Started',
      stateAfter: 'Started',
      stop: true,
      subscribe: false,
      start: true,
    });
    const off = plan.changes.find(c => c.name === 'tr_off')!.trigger!;
    assert.equal(off.stateAfter, 'Stopped');
    assert.ok(!off.stop && !off.start);
  });

  it("does not stop a trigger for its pipeline's change (Data Factory updates a pipeline under a running trigger)", () => {
    const plan = planDeploy(
      folder(
        pipeline('pl', { waitSeconds: 30 }),
        ...base.artifacts.slice(1).map(a => [a.kind, a.value] as [typeof a.kind, JsonObject]),
      ),
      factoryOf(base, states),
    );
    assert.deepEqual(steps(plan), ['put:pl']);
  });

  it("keeps each trigger's state in the factory even when the file says otherwise; 'source' makes the file's state win", () => {
    // The committed files say Stopped; the factory runs tr_on and tr_same.
    assert.ok(planDeploy(base, factoryOf(base, states)).upToDate);
    const source = planDeploy(base, factoryOf(base, states), { triggerStates: 'source' });
    assert.deepEqual(steps(source), ['stopTrigger:tr_on', 'stopTrigger:tr_same']);
    const started = folder(pipeline('pl'), scheduleTrigger('tr_new', ['pl'], { runtimeState: 'Started' }));
    // A new trigger takes its file's state in either mode.
    assert.deepEqual(steps(planDeploy(started, factoryOf(folder(pipeline('pl'))))), [
      'put:tr_new',
      'startTrigger:tr_new',
    ]);
  });

  it('recreates a tumbling-window trigger whose startTime, frequency or interval changes, and warns of the replay before confirm', () => {
    const before = folder(
      pipeline('pl'),
      tumblingTrigger('tw', 'pl', { startTime: '2024-01-01T00:00:00Z', interval: 24 }),
    );
    const later = folder(
      pipeline('pl'),
      tumblingTrigger('tw', 'pl', { startTime: '2024-01-01T00:00:00Z', interval: 12 }),
    );
    const plan = planDeploy(later, factoryOf(before, { tw: 'Started' }), { now: NOW });
    assert.deepEqual(steps(plan), ['stopTrigger:tw', 'delete:tw', 'put:tw', 'startTrigger:tw']);
    const change = plan.changes.find(c => c.name === 'tw')!;
    assert.equal(change.action, 'recreate');
    assert.match(change.summary, /^deleted and created again \(interval 24 → 12: fixed once published\)/);
    assert.deepEqual(plan.warnings, [
      "Trigger 'tw' (tumbling window) is deleted and created again: its startTime, frequency and interval cannot change after " +
        'publish. The new trigger replays its windows from startTime 2024-01-01T00:00:00Z (21 windows up to now), as soon as it ' +
        'starts again after the deploy: each runs its pipeline again.',
    ]);
    assert.equal(plan.counts.recreate, 1);
    // Other fields (maxConcurrency, endTime) change in place; the same instant written differently is no change.
    const inPlace = folder(
      pipeline('pl'),
      tumblingTrigger('tw', 'pl', { startTime: '2024-01-01T00:00:00.000Z', maxConcurrency: 4 }),
    );
    const update = planDeploy(inPlace, factoryOf(before, { tw: 'Stopped' }), { now: NOW });
    assert.deepEqual(steps(update), ['put:tw']);
    assert.deepEqual(update.warnings, []);
    // Stopped, it replays once started.
    const stopped = planDeploy(later, factoryOf(before), { now: NOW });
    assert.deepEqual(steps(stopped), ['delete:tw', 'put:tw']);
    assert.match(stopped.warnings[0]!, /\(21 windows up to now\), once it is started:/);
  });

  it('counts the windows a tumbling-window trigger replays up to its endTime or now', () => {
    const [, hourly] = tumblingTrigger('t', 'p', {
      frequency: 'Hour',
      interval: 24,
      startTime: '2024-01-01T00:00:00Z',
    });
    assert.equal(windowsUntil(hourly, NOW), 10);
    const [, ended] = tumblingTrigger('t', 'p', {
      frequency: 'Minute',
      interval: 15,
      startTime: '2024-01-01T00:00:00Z',
      endTime: '2024-01-01T02:00:00Z',
    });
    assert.equal(windowsUntil(ended, NOW), 8);
    const [, monthly] = tumblingTrigger('t', 'p', {
      frequency: 'Month',
      interval: 1,
      startTime: '2023-01-15T00:00:00Z',
    });
    assert.equal(
      windowsUntil(monthly, NOW),
      11,
      'from Jan 15 2023 to Jan 11 2024: the window from December 15 has not ended yet',
    );
    const [, future] = tumblingTrigger('t', 'p', { startTime: '2030-01-01T00:00:00Z' });
    assert.equal(windowsUntil(future, NOW), 0);
  });

  it('subscribes an event trigger to its events before it starts, and stops and restarts it when it changes', () => {
    const plan = planDeploy(
      folder(pipeline('pl'), blobEventsTrigger('tr_blob', 'pl', 'Started')),
      factoryOf(folder(pipeline('pl'))),
    );
    assert.deepEqual(steps(plan), ['put:tr_blob', 'subscribeTrigger:tr_blob', 'startTrigger:tr_blob']);
    const changed = edited(
      blobEventsTrigger('tr_blob', 'pl'),
      v => (((v.properties as JsonObject).typeProperties as JsonObject).blobPathBeginsWith = '/other/blobs/'),
    );
    const update = planDeploy(
      folder(pipeline('pl'), changed),
      factoryOf(folder(pipeline('pl'), blobEventsTrigger('tr_blob', 'pl')), { tr_blob: 'Started' }),
    );
    assert.deepEqual(steps(update), [
      'stopTrigger:tr_blob',
      'put:tr_blob',
      'subscribeTrigger:tr_blob',
      'startTrigger:tr_blob',
    ]);
  });
});

describe('deploy plan: trigger times', () => {
  const schedule = (startTime: string, timeZone = 'UTC') => scheduleTrigger('tr', ['pl'], { startTime, timeZone })[1];
  const startOf = (value: JsonObject) =>
    (((value.properties as JsonObject).typeProperties as JsonObject).recurrence as JsonObject).startTime;

  it('passes a UTC trigger time with an offset in UTC, with a note, and a time without a zone as UTC', () => {
    const offset = triggerTimes('tr', schedule('2026-12-07T03:00:00+01:00'));
    assert.equal(startOf(offset.value), '2026-12-07T02:00:00Z');
    assert.deepEqual(offset.notes, [
      "Trigger 'tr': startTime 2026-12-07T03:00:00+01:00 is passed in UTC, as 2026-12-07T02:00:00Z.",
    ]);
    const bare = triggerTimes('tr', schedule('2026-12-07T02:00:00'));
    assert.equal(startOf(bare.value), '2026-12-07T02:00:00Z');
    assert.deepEqual([bare.notes, bare.warnings], [[], []]);
    const utc = triggerTimes('tr', schedule('2026-12-07T02:00:00Z'));
    assert.equal(startOf(utc.value), '2026-12-07T02:00:00Z');
    const [, tumbling] = tumblingTrigger('tw', 'pl', { startTime: '2024-01-01T01:00:00.5+01:00' });
    assert.equal(
      ((triggerTimes('tw', tumbling).value.properties as JsonObject).typeProperties as JsonObject).startTime,
      '2024-01-01T00:00:00.500Z',
    );
  });

  it('leaves a wall-clock time in another time zone as written, with a note, and warns of a zone ADF does not expect there', () => {
    const local = triggerTimes('tr', schedule('2026-12-07T02:00:00', 'W. Europe Standard Time'));
    assert.equal(startOf(local.value), '2026-12-07T02:00:00');
    assert.deepEqual(local.notes, [
      "Trigger 'tr': startTime 2026-12-07T02:00:00 is a wall-clock time in 'W. Europe Standard Time' (the schedule's time zone); " +
        'it is passed as written, not converted to UTC.',
    ]);
    const zoned = triggerTimes('tr', schedule('2026-12-07T02:00:00Z', 'W. Europe Standard Time'));
    assert.equal(startOf(zoned.value), '2026-12-07T02:00:00Z');
    assert.match(zoned.warnings[0]!, /where ADF expects the local time without one/);
    const plan = planDeploy(
      folder(pipeline('pl'), ['trigger', schedule('2026-12-07T02:00:00Z', 'W. Europe Standard Time')]),
      { artifacts: [] },
    );
    assert.equal(plan.warnings.length, 1, 'the warning is in the plan, before confirm');
  });

  it('compares what is sent: a trigger deployed from a time with an offset is unchanged the next time', () => {
    const local = folder(pipeline('pl'), ['trigger', schedule('2026-12-07T03:00:00+01:00')]);
    const sent = planDeploy(local, { artifacts: [] }).changes.find(c => c.name === 'tr')!.body!;
    const plan = planDeploy(local, {
      artifacts: [
        { kind: 'pipeline', name: 'pl', value: pipeline('pl')[1] },
        { kind: 'trigger', name: 'tr', value: { name: 'tr', ...sent } },
      ],
    });
    assert.ok(plan.upToDate);
  });
});
