import { listReconcileRuns, readCursor, type ReconcileRunRow } from '@tracksync/db';
import { Router } from 'express';
import { requestReconcileRun } from '../../../reconcile/request';
import { SHIPPED_CURSOR } from '../../../reconcile/run';
import { redirectDone, sendPage, sessionOf, type ConsoleDeps } from '../context';
import { html, visible } from '../html';
import { csrfField, href, time } from '../layout';
import { pageOf, pager, splitPage } from '../paging';

export function reconcileRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/reconcile', async (req, res) => {
    const page = pageOf(req.query, 20);
    const [cursor, listed] = await Promise.all([
      readCursor(deps.db, SHIPPED_CURSOR),
      listReconcileRuns(deps.db, page.limit, page.offset),
    ]);
    const { rows, more } = splitPage(listed, 20);
    const runNow = deps.reconcileEnabled
      ? html`<form class="bar" method="post" action="${href('/reconcile/run')}">
          ${csrfField(sessionOf(res).csrf)}<button type="submit">Run now</button>
          <span class="muted">queued like a scheduled run, so it never overlaps one</span>
        </form>`
      : html`<p class="notice error">
          Reconciliation is off: STARSHIPIT_API_KEY and STARSHIPIT_SUBSCRIPTION_KEY are not set.
        </p>`;
    const body = html`${runNow}
      <p>
        Next shipped-orders window starts at the cursor:
        ${cursor ? time(cursor) : html`<span class="muted">not set yet (no run has succeeded)</span>`}
      </p>
      ${rows.length === 0 ? html`<p role="status">No runs yet.</p>` : runsTable(rows)}
      ${pager(page, more, `${href('/reconcile')}?`)}`;
    sendPage(req, res, { title: 'Reconcile', page: 'reconcile', body });
  });

  router.post('/reconcile/run', async (_req, res) => {
    if (!deps.reconcileEnabled) {
      redirectDone(res, href('/reconcile'), 'reconcile_disabled');
      return;
    }
    const jobId = await requestReconcileRun(deps.queues);
    deps.log.info({ jobId }, 'reconciliation run requested from the console');
    redirectDone(res, href('/reconcile'), 'reconcile_queued', jobId);
  });
  return router;
}

function runsTable(rows: readonly ReconcileRunRow[]) {
  return html`<table>
    <caption>
      Recent runs, newest first. Steps: shipped-orders pages, silent shipments polled, unmatched
      retried.
    </caption>
    <thead>
      <tr>
        <th scope="col">Run</th>
        <th scope="col">Status</th>
        <th scope="col">Started</th>
        <th scope="col">Finished</th>
        <th scope="col">Window from</th>
        <th scope="col" class="num">Requests</th>
        <th scope="col" class="num">Pages</th>
        <th scope="col" class="num">Events found</th>
        <th scope="col" class="num">Polled</th>
        <th scope="col" class="num">Unmatched retried</th>
        <th scope="col">Errors</th>
      </tr>
    </thead>
    <tbody>
      ${rows.map(
        (run) =>
          html`<tr>
            <td>${run.id} <span class="muted">${run.trigger}</span></td>
            <td><span class="status ${run.status}">${run.status}</span></td>
            <td>${time(run.startedAt)}</td>
            <td>${time(run.finishedAt)}</td>
            <td>${time(run.windowStart)}</td>
            <td class="num">${run.requests}</td>
            <td class="num">${run.pages}</td>
            <td class="num">${run.eventsFound}</td>
            <td class="num">${run.shipmentsPolled}</td>
            <td class="num">${run.unmatchedRetried}</td>
            <td>
              ${
                run.errors.length === 0
                  ? html`<span class="muted">none</span>`
                  : html`<ul>
                      ${run.errors.map((e) => html`<li>${visible(e)}</li>`)}
                    </ul>`
              }
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}
