import { afterEach, describe, expect, it, vi } from 'vitest';
import { createGroupCommit, type GroupCommitOptions } from './group-commit';

interface Item {
  readonly key: string;
  readonly value: number;
}

/** A commit the test finishes by hand, recording the batches it was given. */
function manualCommits() {
  const batches: Item[][] = [];
  const finishers: (() => void)[] = [];
  const commit: GroupCommitOptions<Item, number>['commit'] = (items) => {
    batches.push([...items]);
    return new Promise((resolve) => {
      finishers.push(() => {
        resolve(
          items.map((item) =>
            item.value < 0
              ? { status: 'rejected', reason: new Error(`bad ${item.value}`) }
              : { status: 'fulfilled', value: item.value * 10 },
          ),
        );
      });
    });
  };
  const finishNext = async () => {
    finishers.shift()?.();
    await vi.advanceTimersByTimeAsync(0);
  };
  return { batches, commit, finishNext };
}

const item = (value: number, key = `k${value}`): Item => ({ key, value });

/** A group commit over manual commits, on fake timers; `gatherMs` is 1 unless given. */
function groupCommitOf(limits: { maxBatch: number; maxInFlight: number; gatherMs?: number }) {
  vi.useFakeTimers();
  const commits = manualCommits();
  const submit = createGroupCommit({
    gatherMs: 1,
    ...limits,
    keyOf: (i: Item) => i.key,
    commit: commits.commit,
  });
  return { ...commits, submit };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('createGroupCommit', () => {
  it('sends a full batch at once and the rest after the gather window', async () => {
    const { batches, finishNext, submit } = groupCommitOf({
      maxBatch: 3,
      maxInFlight: 2,
      gatherMs: 5,
    });
    const outcomes = [1, 2, 3, 4].map((value) => submit(item(value)));
    expect(batches).toEqual([[item(1), item(2), item(3)]]);
    await vi.advanceTimersByTimeAsync(4);
    expect(batches).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(batches).toEqual([[item(1), item(2), item(3)], [item(4)]]);
    await finishNext();
    await finishNext();
    await expect(Promise.all(outcomes)).resolves.toEqual([10, 20, 30, 40]);
  });

  it('answers nobody before the commit that carried them has finished', async () => {
    const { finishNext, submit } = groupCommitOf({ maxBatch: 2, maxInFlight: 1 });
    let answered = false;
    const outcome = submit(item(1)).then((value) => {
      answered = true;
      return value;
    });
    await vi.advanceTimersByTimeAsync(10);
    expect(answered).toBe(false);
    await finishNext();
    await expect(outcome).resolves.toBe(10);
  });

  it('gathers what arrives while the commits in flight run, and sends it when one finishes', async () => {
    const { batches, finishNext, submit } = groupCommitOf({ maxBatch: 10, maxInFlight: 1 });
    void submit(item(1));
    await vi.advanceTimersByTimeAsync(1);
    const later = [2, 3, 4].map((value) => submit(item(value)));
    await vi.advanceTimersByTimeAsync(50);
    expect(batches).toEqual([[item(1)]]);
    await finishNext();
    expect(batches[1]).toEqual([item(2), item(3), item(4)]);
    await finishNext();
    await expect(Promise.all(later)).resolves.toEqual([20, 30, 40]);
  });

  it('never puts one key in two commits at once', async () => {
    const { batches, finishNext, submit } = groupCommitOf({ maxBatch: 10, maxInFlight: 2 });
    void submit(item(1, 'A'));
    await vi.advanceTimersByTimeAsync(1);
    void submit(item(2, 'A'));
    void submit(item(3, 'B'));
    await vi.advanceTimersByTimeAsync(5);
    expect(batches).toEqual([[item(1, 'A')], [item(3, 'B')]]);
    await finishNext();
    expect(batches[2]).toEqual([item(2, 'A')]);
  });

  it('fails only the items the commit failed, and every item when the commit throws', async () => {
    const failing = createGroupCommit<Item, number>({
      maxBatch: 2,
      gatherMs: 1,
      maxInFlight: 1,
      keyOf: (i) => i.key,
      commit: () => Promise.reject(new Error('database down')),
    });
    await expect(failing(item(1))).rejects.toThrow('database down');

    const { finishNext, submit } = groupCommitOf({ maxBatch: 2, maxInFlight: 1 });
    const good = submit(item(1));
    const bad = submit(item(-1));
    const settled = Promise.allSettled([good, bad]);
    await finishNext();
    const [first, second] = await settled;
    expect(first).toEqual({ status: 'fulfilled', value: 10 });
    expect(second).toMatchObject({ status: 'rejected', reason: new Error('bad -1') });
  });
});
