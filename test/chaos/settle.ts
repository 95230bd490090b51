import { findProblems, isSettled, type Problems } from './checks';
import type { LoadLedger } from './load';
import type { Probe, Snapshot } from './probe';
import { sleep } from './random';
import type { Receiver } from './receiver';

export interface Settled {
  readonly snapshot: Snapshot;
  readonly problems: Problems;
  /** How long it took after the load and the faults were over. */
  readonly settleMs: number;
}

/** With no job left to run, nothing changes any more: waiting longer would only delay. */
const IDLE_IS_FINAL_MS = 10_000;

/**
 * Polls until every acknowledged event is stored and every change delivered, until nothing
 * is left to run, or until `timeoutMs`; returns what it saw last for the assertions.
 */
export async function waitUntilSettled(
  probe: Probe,
  ledger: LoadLedger,
  receiver: Receiver,
  timeoutMs: number,
  destinations = 1,
): Promise<Settled> {
  const started = performance.now();
  let idleSince: number | undefined;
  for (;;) {
    const snapshot = await probe.read();
    const problems = findProblems(ledger, snapshot, receiver, destinations);
    const now = performance.now();
    const idle = snapshot.jobs.ingest.open + snapshot.jobs.delivery.open === 0;
    idleSince = idle ? (idleSince ?? now) : undefined;
    const stuck = idleSince !== undefined && now - idleSince > IDLE_IS_FINAL_MS;
    if (isSettled(problems, snapshot, destinations) || stuck || now - started > timeoutMs) {
      return { snapshot, problems, settleMs: Math.round(now - started) };
    }
    await sleep(250);
  }
}
