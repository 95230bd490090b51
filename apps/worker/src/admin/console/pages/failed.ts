import { countFailedDeliveries, listFailedDeliveries } from '@tracksync/db';
import { Router } from 'express';
import { retryFailedDeliveries, retryFailedDelivery } from '../../../deliveries/requests';
import { redirectDone, sendPage, sessionOf, type ConsoleDeps } from '../context';
import { bounded, html, visible } from '../html';
import { csrfField, href, time } from '../layout';
import { pageOf, pager, splitPage } from '../paging';
import { returnPath } from './shipments';
import { retryForm } from './timeline';

const DONE_BY_OUTCOME = {
  queued: 'retried',
  refused: 'retry_refused',
  not_failed: 'retry_not_failed',
  not_found: 'retry_not_failed',
} as const;

export function failedRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/failed', async (req, res) => {
    const page = pageOf(req.query);
    const [listed, total] = await Promise.all([
      listFailedDeliveries(deps.db, page),
      countFailedDeliveries(deps.db),
    ]);
    const { rows, more } = splitPage(listed);
    const csrf = sessionOf(res).csrf;
    const back = page.number === 1 ? href('/failed') : `${href('/failed')}?page=${page.number}`;
    const body = html`<form class="bar" method="post" action="${href('/failed/retry')}">
        ${csrfField(csrf)}
        <button type="submit">Retry all failed (${total})</button>
        <span class="muted">oldest first; each shipment's changes are sent in order</span>
      </form>
      ${
        rows.length === 0
          ? html`<p role="status">No failed deliveries.</p>`
          : html`<table>
              <caption>
                Deliveries that failed for good, latest failure first (${total} in all)
              </caption>
              <thead>
                <tr>
                  <th scope="col">Failed</th>
                  <th scope="col">Destination</th>
                  <th scope="col">Tracking number</th>
                  <th scope="col">Order number</th>
                  <th scope="col">State</th>
                  <th scope="col" class="num">Attempts</th>
                  <th scope="col" class="num">HTTP</th>
                  <th scope="col">Last error</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map((row) => {
                  const tn = row.trackingNumber;
                  const shipmentPath = href(`/shipments/${encodeURIComponent(tn)}`);
                  return html`<tr>
                    <td>${time(row.finishedAt)}</td>
                    <td>${visible(row.destination)}</td>
                    <td>
                      <a href="${shipmentPath}"><bdi>${visible(tn)}</bdi></a>
                    </td>
                    <td><bdi>${visible(row.state.orderNumber)}</bdi></td>
                    <td>
                      ${visible(row.state.trackingStatus)}
                      <span class="muted">(${row.reason})</span>
                    </td>
                    <td class="num">${row.attempts}</td>
                    <td class="num">${row.lastHttpStatus ?? '—'}</td>
                    <td>${bounded(row.lastError ?? '', 300)}</td>
                    <td>
                      ${retryForm(row.deliveryId, csrf, back)}
                      <form class="inline" method="post" action="${shipmentPath}/replay">
                        ${csrfField(csrf)}<input type="hidden" name="return" value="${back}" />
                        <button
                          type="submit"
                          class="secondary"
                          aria-label="Replay the current state of ${tn}"
                        >
                          Replay current state
                        </button>
                      </form>
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      ${pager(page, more, `${href('/failed')}?`)}`;
    sendPage(req, res, { title: 'Failed deliveries', page: 'failed', body });
  });

  router.post('/failed/retry', async (_req, res) => {
    const { queued, refused } = await retryFailedDeliveries(deps);
    deps.log.info({ queued, refused }, 'failed deliveries retried by an operator');
    const what = `${queued} queued${refused > 0 ? `, ${refused} skipped (a newer change was delivered since)` : ''}`;
    redirectDone(res, href('/failed'), 'retried_all', what);
  });

  router.post('/failed/:delivery_id/retry', async (req, res) => {
    const deliveryId = req.params.delivery_id;
    const outcome = await retryFailedDelivery(deps, deliveryId);
    deps.log.info({ deliveryId, outcome }, 'failed delivery retried by an operator');
    redirectDone(res, returnPath(req.body, href('/failed')), DONE_BY_OUTCOME[outcome], deliveryId);
  });
  return router;
}
