import {
  countFailedDeliveries,
  countParkedPayloads,
  countUnmatchedShipments,
  listReconcileRuns,
} from '@tracksync/db';
import type { QueueName, Queues } from '@tracksync/queue';
import { Router } from 'express';
import { oldestWaitingAgeMs } from '../../../metrics';
import { sendPage, type ConsoleDeps } from '../context';
import { html, visible, type SafeHtml } from '../html';
import { ago, href, time } from '../layout';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Often enough to watch a backlog drain, rare enough to cost Redis and Postgres nothing. */
const REFRESH = 'every 10s';
const STATES = ['waiting', 'active', 'delayed', 'failed'] as const;

export function overviewRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    sendPage(req, res, { title: 'Overview', page: 'overview', body: await stats(deps) });
  });
  // What htmx fetches every few seconds: the same section, swapped in place.
  router.get('/overview/stats', async (_req, res) => {
    res.type('html').send((await stats(deps)).value);
  });
  return router;
}

async function stats(deps: ConsoleDeps): Promise<SafeHtml> {
  const [queues, failed24h, unmatched, parked, [lastRun]] = await Promise.all([
    readQueues(deps.queues),
    countFailedDeliveries(deps.db, new Date(Date.now() - DAY_MS)),
    countUnmatchedShipments(deps.db),
    countParkedPayloads(deps.db),
    listReconcileRuns(deps.db, 1),
  ]);
  const card = (label: string, value: number, path: string) =>
    html`<div class="card">
      <dt>${label}</dt>
      <dd><a href="${href(path)}">${value.toLocaleString('en')}</a></dd>
    </div>`;
  const run = lastRun
    ? html`<span class="status ${lastRun.status}">${lastRun.status}</span> run ${lastRun.id}
        (${lastRun.trigger}), started ${time(lastRun.startedAt)}, ${lastRun.eventsFound} events
        found${lastRun.errors.length > 0 ? html`, ${lastRun.errors.length} errors: ${visible(lastRun.errors[0])}` : ''}`
    : html`<span class="muted">no run yet</span>`;
  return html`<section
    id="overview"
    hx-get="${href('/overview/stats')}"
    hx-trigger="${REFRESH}"
    hx-swap="outerHTML"
    aria-labelledby="overview-heading"
  >
    <h2 id="overview-heading">
      Now <span class="muted">(refreshes every 10 s; read ${time(new Date())})</span>
    </h2>
    <dl class="cards">
      ${card('Failed deliveries, last 24 h', failed24h, '/failed')}
      ${card('Unmatched shipments', unmatched, '/unmatched')}
      ${card('Parked payloads', parked, '/parked')}
    </dl>
    <p><strong>Last reconcile run:</strong> ${run} · <a href="${href('/reconcile')}">runs</a></p>
    <table>
      <caption>
        Queues ·
        <a href="/admin/queues">open Bull Board</a>
        for their jobs
      </caption>
      <thead>
        <tr>
          <th scope="col">Queue</th>
          ${STATES.map((state) => html`<th scope="col" class="num">${state}</th>`)}
          <th scope="col" class="num">Oldest waiting</th>
        </tr>
      </thead>
      <tbody>
        ${queues.map(
          (row) =>
            html`<tr>
              <th scope="row">${row.name}</th>
              ${STATES.map((state) => html`<td class="num">${row.counts[state] ?? 0}</td>`)}
              <td class="num">${ago(row.oldestMs)}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </section>`;
}

async function readQueues(queues: Queues) {
  const entries = Object.entries(queues) as [QueueName, Queues[QueueName]][];
  return Promise.all(
    entries.map(async ([name, queue]) => ({
      name,
      counts: await queue.getJobCounts(...STATES),
      oldestMs: await oldestWaitingAgeMs(queue),
    })),
  );
}
