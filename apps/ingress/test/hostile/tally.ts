import type { Queues, TrackingEventJob } from '@tracksync/queue';
import { afterAll } from 'vitest';

/** Statuses seen per category of generated input, printed once the file is done. */
const tally = new Map<string, Map<number, number>>();

export function count(category: string, status: number) {
  const statuses = tally.get(category) ?? new Map<number, number>();
  statuses.set(status, (statuses.get(status) ?? 0) + 1);
  tally.set(category, statuses);
}

/** Posts raw bytes as JSON to the webhook, with the signature header when one is given. */
export function postCallback(
  url: string,
  body: Buffer | string,
  signature?: string,
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (signature !== undefined) headers['x-starshipit-signature'] = signature;
  return fetch(`${url}/callback/`, { method: 'POST', headers, body });
}

/** As postCallback, resolving to the status once the answer is read. */
export async function post(
  url: string,
  body: Buffer | string,
  signature?: string,
): Promise<number> {
  const response = await postCallback(url, body, signature);
  await response.arrayBuffer();
  return response.status;
}

/** Jobs of every state in every queue of the prefix: ingest, parked, delivery, reconcile. */
export async function totalJobs(queues: Queues): Promise<number> {
  const counts = await Promise.all(Object.values(queues).map((queue) => queue.getJobCounts()));
  return counts.flatMap((byState) => Object.values(byState)).reduce((sum, n) => sum + n, 0);
}

afterAll(() => {
  if (tally.size === 0) return;
  const lines = [...tally].map(([category, statuses]) => {
    const total = [...statuses.values()].reduce((sum, n) => sum + n, 0);
    const seen = [...statuses].map(([status, n]) => `${status}×${n}`).join(' ');
    return `  ${category}: ${total} cases, ${seen}`;
  });
  process.stdout.write(`hostile bodies fuzzed:\n${lines.join('\n')}\n`);
});

/** The data of the tracking-event job queued under `eventId`, if any. */
export async function jobData(
  ingress: { readonly queues: Queues },
  eventId: string,
): Promise<TrackingEventJob | undefined> {
  const job = await ingress.queues.ingest.getJob(eventId);
  return job?.data as TrackingEventJob | undefined;
}
