import { createTestDatabase, type TestDatabase } from '@tracksync/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { advanceCursor, listReconcileRuns, readCursor, startReconcileRun } from './reconcile';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database.drop();
});

describe('reconcile run records and the cursor', () => {
  it('closes a run left running by a worker that died when the next run starts', async () => {
    const windowStart = new Date('2026-06-01T00:00:00Z');
    const first = await startReconcileRun(database.db, {
      trigger: 'schedule',
      windowStart,
      startedAt: new Date('2026-06-01T00:10:00Z'),
    });
    const second = await startReconcileRun(database.db, {
      trigger: 'manual',
      windowStart,
      startedAt: new Date('2026-06-01T00:20:00Z'),
    });

    const runs = await listReconcileRuns(database.db, 10);
    expect(runs.map((run) => [run.id, run.status])).toEqual([
      [second, 'running'],
      [first, 'failed'],
    ]);
    expect(runs[1]?.errors).toEqual(['interrupted: the worker stopped mid-run']);
  });

  it('never moves the cursor back', async () => {
    await advanceCursor(database.db, 'test', new Date('2026-06-02T00:00:00Z'));
    await advanceCursor(database.db, 'test', new Date('2026-06-01T00:00:00Z'));
    expect(await readCursor(database.db, 'test')).toEqual(new Date('2026-06-02T00:00:00Z'));
  });
});
