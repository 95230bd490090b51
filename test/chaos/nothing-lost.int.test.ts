import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFaults } from './faults';
import { runLoad } from './load';
import { openProbe, type Probe } from './probe';
import { chaosProfile, faultSchedule } from './profile';
import { createRandom } from './random';
import { buildReport, publishReport } from './report';
import { waitUntilSettled } from './settle';
import { startChaosStack, type ChaosStack } from './stack';

// `npm run test:chaos` sets CHAOS_PROFILE=long; CHAOS_WORKERS sets the worker processes;
// CHAOS_DESTINATIONS=2 adds a destination that fails throughout; CHAOS_SEED repeats a run's
// random choices.
const profile = chaosProfile(
  process.env.CHAOS_PROFILE,
  process.env.CHAOS_WORKERS,
  process.env.CHAOS_DESTINATIONS,
);
const seed = Number(process.env.CHAOS_SEED ?? randomInt(2 ** 31));
const schedule = faultSchedule(profile);

describe(`nothing acknowledged is lost (${profile.name} profile)`, () => {
  let stack: ChaosStack | undefined;
  let probe: Probe | undefined;

  beforeAll(async () => {
    stack = await startChaosStack(
      profile.workerProcesses,
      createRandom(seed + 1),
      profile.destinations,
    );
  }, 120_000);

  afterAll(async () => {
    await probe?.close();
    await stack?.close();
  }, 60_000);

  it(
    'stores each acknowledged event once and delivers each change once and in order, through Redis, worker, Postgres and sink failures',
    async () => {
      if (!stack) throw new Error('the stack starts in beforeAll');
      const loadStartedAt = performance.now();
      const stopLoad = new AbortController();
      const load = runLoad({
        url: stack.ingressUrl,
        secret: stack.webhookSecret,
        runId: randomBytes(3).toString('hex').toUpperCase(),
        shipments: profile.shipments,
        rate: profile.rate,
        duplicateRatio: profile.duplicateRatio,
        random: createRandom(seed),
        giveUpAfterMs: 60_000,
        signal: stopLoad.signal,
      });
      const faults = await runFaults(schedule, stack.faults, loadStartedAt).catch(
        (err: unknown) => {
          stopLoad.abort();
          throw err;
        },
      );
      const ledger = await load;
      // Only the test kills processes: a worker or ingress that died by itself is a crash.
      const exitedDuringLoad = stack.unexpectedExits();
      probe = openProbe(stack.databaseUrl, stack.redisUrl, stack.queuePrefix);
      const settled = await waitUntilSettled(
        probe,
        ledger,
        stack.receiver,
        profile.settleTimeoutMs,
        profile.destinations,
      );
      const report = buildReport({
        profile: profile.name,
        seed,
        ledger,
        settled,
        receiver: stack.receiver,
        failing: stack.failing,
        faults,
        workers: stack.workers,
        elapsedMs: performance.now() - loadStartedAt,
      });
      await publishReport(report, process.env.CHAOS_REPORT);

      // Every fault was injected, and each while webhooks were still arriving.
      expect(faults.map((fault) => fault.kind)).toEqual(schedule.map((step) => step.kind));
      expect(faults.filter((fault) => fault.atMs > ledger.endedMs)).toEqual([]);
      expect(exitedDuringLoad).toEqual([]);
      expect(stack.unexpectedExits()).toEqual([]);
      const { problems } = settled;
      expect(problems.unacknowledged).toEqual([]);
      expect(problems.lostOrRepeatedEvents).toEqual([]);
      expect(problems.unexpectedEvents).toEqual([]);
      expect(problems.wrongFinalStates).toEqual([]);
      expect(problems.unsettledDeliveries).toEqual([]);
      expect(problems.deliveryMismatches).toEqual([]);
      expect(problems.notExactlyOnce).toEqual([]);
      expect(problems.orderViolations).toEqual([]);
      expect(problems.failingOutbox).toEqual([]);
      expect(problems.other).toEqual([]);
      // Each shipment ends Delivered, so each had at least one change to deliver.
      expect(report.deliveries).toBeGreaterThanOrEqual(profile.shipments);
      expect(report.sink2xx).toBe(report.deliveries);
    },
    profile.testTimeoutMs,
  );
});
