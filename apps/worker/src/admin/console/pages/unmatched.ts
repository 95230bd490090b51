import { listUnmatchedShipments } from '@tracksync/db';
import { Router } from 'express';
import { z } from 'zod';
import { matchShipment, retryUnmatchedShipments } from '../../../deliveries/requests';
import { redirectDone, sendPage, sessionOf, type ConsoleDeps } from '../context';
import { html, visible } from '../html';
import { csrfField, href, time } from '../layout';
import { pageOf, pager, splitPage } from '../paging';

/** The ops API's rule for a source order id, so both accept exactly the same ids. */
const sourceOrderIdSchema = z.string().trim().min(1).max(200);

export function unmatchedRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/unmatched', async (req, res) => {
    const page = pageOf(req.query);
    const { rows, more } = splitPage(
      await listUnmatchedShipments(deps.db, page.limit, page.offset),
    );
    const csrf = sessionOf(res).csrf;
    const body = html`<form class="bar" method="post" action="${href('/unmatched/retry')}">
        ${csrfField(csrf)}
        <button type="submit">Retry all unmatched</button>
        <span class="muted">asks the source system again about each, as reconciliation does</span>
      </form>
      ${
        rows.length === 0
          ? html`<p role="status">No unmatched shipments: the source system knew every order.</p>`
          : html`<table>
              <caption>
                Shipments whose order the source system did not know (404), longest waiting first
              </caption>
              <thead>
                <tr>
                  <th scope="col">Tracking number</th>
                  <th scope="col">Order number</th>
                  <th scope="col">Status</th>
                  <th scope="col">Unmatched since</th>
                  <th scope="col">Source's last answer</th>
                  <th scope="col">Match to a source order</th>
                </tr>
              </thead>
              <tbody>
                ${rows.map(({ shipment, lastAnswered }, i) => {
                  const tn = shipment.trackingNumber;
                  const field = `source-order-${i}`;
                  return html`<tr>
                    <td>
                      <a href="${href(`/shipments/${encodeURIComponent(tn)}`)}"
                        ><bdi>${visible(tn)}</bdi></a
                      >
                    </td>
                    <td><bdi>${visible(shipment.orderNumber)}</bdi></td>
                    <td>${visible(shipment.trackingStatus)}</td>
                    <td>${time(shipment.unmatchedSince)}</td>
                    <td>
                      ${lastAnswered ? html`${lastAnswered.lastHttpStatus ?? ''} ${visible(lastAnswered.lastError)}` : html`<span class="muted">—</span>`}
                    </td>
                    <td>
                      <form
                        class="inline"
                        method="post"
                        action="${href(`/unmatched/${encodeURIComponent(tn)}/match`)}"
                      >
                        ${csrfField(csrf)}
                        <label for="${field}" class="visually-hidden"
                          >Source order id for ${tn}</label
                        >
                        <input
                          id="${field}"
                          name="source_order_id"
                          type="text"
                          required
                          maxlength="200"
                          placeholder="source order id"
                        />
                        <button type="submit" aria-label="Match ${tn}">Match</button>
                      </form>
                    </td>
                  </tr>`;
                })}
              </tbody>
            </table>`
      }
      ${pager(page, more, `${href('/unmatched')}?`)}`;
    sendPage(req, res, { title: 'Unmatched shipments', page: 'unmatched', body });
  });

  // The ops API's match: the same function links the order and delivers the current state.
  router.post('/unmatched/:tracking_number/match', async (req, res) => {
    const trackingNumber = req.params.tracking_number;
    const parsed = sourceOrderIdSchema.safeParse(
      (req.body as Record<string, unknown>).source_order_id,
    );
    if (!parsed.success) {
      sendPage(
        req,
        res,
        {
          title: 'Not matched',
          page: 'unmatched',
          body: html`<p role="alert">A source order id of 1 to 200 characters is needed.</p>
            <p><a href="${href('/unmatched')}">Back to unmatched shipments</a></p>`,
        },
        400,
      );
      return;
    }
    const deliveryIds = await matchShipment(deps, trackingNumber, parsed.data);
    if (!deliveryIds) {
      redirectDone(res, href('/unmatched'), 'unknown_shipment', trackingNumber);
      return;
    }
    deps.log.info(
      { trackingNumber, sourceOrderId: parsed.data, deliveryIds },
      'shipment matched by an operator',
    );
    redirectDone(res, href('/unmatched'), 'matched', `${trackingNumber} → ${parsed.data}`);
  });

  router.post('/unmatched/retry', async (_req, res) => {
    const retried = await retryUnmatchedShipments(deps);
    deps.log.info({ retried }, 'unmatched shipments retried by an operator');
    redirectDone(res, href('/unmatched'), 'unmatched_retried', `${retried} shipments`);
  });
  return router;
}
