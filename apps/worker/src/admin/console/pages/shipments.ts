import { findShipment, findShipmentDetail, searchShipments } from '@tracksync/db';
import { Router } from 'express';
import { z } from 'zod';
import { replayEvent } from '../../../deliveries/requests';
import { redirectDone, sendPage, sessionOf, type ConsoleDeps } from '../context';
import { html, visible } from '../html';
import { href, time } from '../layout';
import { pageOf, pager, splitPage } from '../paging';
import { renderTimeline } from './timeline';

const termSchema = z.string().trim().min(1).max(200);

export function shipmentRoutes(deps: ConsoleDeps): Router {
  const router = Router();
  router.get('/shipments', async (req, res) => {
    const parsed = termSchema.safeParse((req.query as Record<string, unknown>).q);
    const term = parsed.success ? parsed.data : null;
    const page = pageOf(req.query);
    const found = term ? splitPage(await searchShipments(deps.db, term, page)) : null;
    // One parcel for the number: straight to its timeline, the page the operator came for.
    const [only] = found?.rows ?? [];
    if (only && found?.rows.length === 1 && page.number === 1) {
      res.redirect(303, href(`/shipments/${encodeURIComponent(only.trackingNumber)}`));
      return;
    }
    const results = !found
      ? ''
      : found.rows.length === 0
        ? html`<p role="status">
            No shipment has the tracking or order number <bdi>${visible(term)}</bdi>.
          </p>`
        : html`<table>
              <caption>
                Shipments for
                <bdi>${visible(term)}</bdi>
              </caption>
              <thead>
                <tr>
                  <th scope="col">Tracking number</th>
                  <th scope="col">Order number</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last update</th>
                </tr>
              </thead>
              <tbody>
                ${found.rows.map(
                  (row) =>
                    html`<tr>
                      <td>
                        <a href="${href(`/shipments/${encodeURIComponent(row.trackingNumber)}`)}"
                          ><bdi>${visible(row.trackingNumber)}</bdi></a
                        >
                      </td>
                      <td><bdi>${visible(row.orderNumber)}</bdi></td>
                      <td>${visible(row.trackingStatus)}</td>
                      <td>${time(row.lastUpdatedDate)}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
            ${pager(page, found.more, `${href('/shipments')}?${new URLSearchParams({ q: term ?? '' }).toString()}&`)}`;
    const body = html`${searchForm(term ?? '')} ${results}`;
    sendPage(req, res, { title: 'Shipments', page: 'shipments', body });
  });

  router.get('/shipments/:tracking_number', async (req, res) => {
    const trackingNumber = req.params.tracking_number;
    const detail = await findShipmentDetail(deps.db, trackingNumber);
    const body = detail
      ? renderTimeline(detail, sessionOf(res).csrf)
      : html`<p role="status">
          No shipment with tracking number <bdi>${visible(trackingNumber)}</bdi>.
        </p>`;
    const title = detail ? `Shipment ${trackingNumber}` : 'Shipment not found';
    sendPage(
      req,
      res,
      { title, page: 'shipments', body: html`${searchForm('')} ${body}` },
      detail ? 200 : 404,
    );
  });

  // Replays the event that set the current state: the same function as the ops API's replay.
  router.post('/shipments/:tracking_number/replay', async (req, res) => {
    const trackingNumber = req.params.tracking_number;
    const shipment = await findShipment(deps.db, trackingNumber);
    const deliveryId = shipment
      ? (await replayEvent(deps, shipment.lastEventId))?.join(', ')
      : null;
    const back = returnPath(req.body, href(`/shipments/${encodeURIComponent(trackingNumber)}`));
    if (!deliveryId) {
      redirectDone(res, back, 'unknown_shipment', trackingNumber);
      return;
    }
    deps.log.info({ trackingNumber, deliveryId }, 'current state replayed from the console');
    redirectDone(res, back, 'replayed', deliveryId);
  });
  return router;
}

function searchForm(term: string) {
  return html`<form class="bar" method="get" action="${href('/shipments')}" role="search">
    <div>
      <label for="q">Tracking number or order number</label>
      <input id="q" name="q" type="search" value="${term}" required maxlength="200" />
    </div>
    <button type="submit">Find</button>
  </form>`;
}

/** Where a form asked to go back to; only a console page, so it cannot redirect elsewhere. */
export function returnPath(body: unknown, fallback: string): string {
  const asked = (body as Record<string, unknown> | undefined)?.return;
  return typeof asked === 'string' &&
    /^\/console\/[\w\-/%.?=&]*$/.test(asked) &&
    !asked.includes('//')
    ? asked
    : fallback;
}
