/**
 * Group commit: callers that arrive together share one commit. Each caller submits one item
 * and gets its own outcome, only once the commit that carried it has finished, so an
 * acknowledgement never runs ahead of the database. A commit leaves when it has `maxBatch`
 * items, when its first item has waited `gatherMs`, or when the commit before it finishes
 * (whoever arrived meanwhile has waited long enough).
 */
export interface GroupCommitOptions<T, R> {
  readonly maxBatch: number;
  readonly gatherMs: number;
  /** Commits running at once: more overlap their round trips, fewer make bigger batches. */
  readonly maxInFlight: number;
  /**
   * Items of one key are never in two commits at once: the second waits for the first, so
   * two commits of one process never contend for the same rows.
   */
  readonly keyOf: (item: T) => string;
  /** Settles every item, in the order given. */
  readonly commit: (items: readonly T[]) => Promise<PromiseSettledResult<R>[]>;
}

interface Waiting<T, R> {
  readonly item: T;
  readonly key: string;
  resolve(value: R): void;
  reject(reason: unknown): void;
}

export function createGroupCommit<T, R>(
  options: GroupCommitOptions<T, R>,
): (item: T) => Promise<R> {
  const waiting: Waiting<T, R>[] = [];
  const busyKeys = new Map<string, number>();
  let inFlight = 0;
  let timer: NodeJS.Timeout | null = null;

  const takeBatch = (): Waiting<T, R>[] => {
    const batch: Waiting<T, R>[] = [];
    for (let i = 0; i < waiting.length && batch.length < options.maxBatch;) {
      const entry = waiting[i];
      if (entry && !busyKeys.has(entry.key)) {
        batch.push(entry);
        waiting.splice(i, 1);
      } else i += 1;
    }
    return batch;
  };

  const run = (batch: Waiting<T, R>[]) => {
    inFlight += 1;
    for (const { key } of batch) busyKeys.set(key, (busyKeys.get(key) ?? 0) + 1);
    options
      .commit(batch.map((entry) => entry.item))
      .then(
        (outcomes) => {
          batch.forEach((entry, i) => {
            const outcome = outcomes[i];
            if (outcome?.status === 'fulfilled') entry.resolve(outcome.value);
            else
              entry.reject(outcome ? outcome.reason : new Error('commit left an item unsettled'));
          });
        },
        (err: unknown) => {
          for (const entry of batch) entry.reject(err);
        },
      )
      .finally(() => {
        inFlight -= 1;
        for (const { key } of batch) {
          const left = (busyKeys.get(key) ?? 1) - 1;
          if (left === 0) busyKeys.delete(key);
          else busyKeys.set(key, left);
        }
        drain(true);
      });
  };

  /** Starts every commit it may; `gathered` lets a batch leave before it is full. */
  const drain = (gathered: boolean) => {
    while (inFlight < options.maxInFlight && waiting.length > 0) {
      if (!gathered && waiting.length < options.maxBatch) break;
      const batch = takeBatch();
      if (batch.length === 0) break;
      run(batch);
    }
    const ready = waiting.some((entry) => !busyKeys.has(entry.key));
    if (ready && inFlight < options.maxInFlight && timer === null) {
      timer = setTimeout(() => {
        timer = null;
        drain(true);
      }, options.gatherMs);
    }
  };

  return (item) =>
    new Promise<R>((resolve, reject) => {
      waiting.push({ item, key: options.keyOf(item), resolve, reject });
      drain(false);
    });
}
