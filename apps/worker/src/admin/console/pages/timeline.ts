import type { DeliveryWithAttempts, ShipmentDetail, TrackingEventRow } from '@tracksync/db';
import { projectHistory, type ShipmentState, type StoredEvent } from '@tracksync/domain';
import { html, bounded, visible, type SafeHtml } from '../html';
import { csrfField, href, time } from '../layout';

/** A raw payload is a few hundred bytes; anything longer is cut on screen, never in storage. */
const PAYLOAD_SHOWN_CHARS = 4_000;

/**
 * One shipment on one page: its state, every stored event in the order it arrived with the
 * state the shipment had after it, and every delivery with each call to the source system —
 * what an operator needs to answer "why is this order not updated".
 */
export function renderTimeline(detail: ShipmentDetail, csrf: string): SafeHtml {
  const { shipment } = detail;
  const path = href(`/shipments/${encodeURIComponent(shipment.trackingNumber)}`);
  return html`<section aria-labelledby="state-heading">
      <h2 id="state-heading">Current state</h2>
      <table>
        <tbody>
          ${row('Tracking number', html`<bdi>${visible(shipment.trackingNumber)}</bdi>`)}
          ${row('Order number', html`<bdi>${visible(shipment.orderNumber)}</bdi>`)}
          ${row('Status', html`<span class="status">${visible(shipment.trackingStatus)}</span> as of ${time(shipment.lastUpdatedDate)}`)}
          ${row('Carrier', html`${visible(shipment.carrierName)} ${visible(shipment.carrierService)}`)}
          ${row('Source order id', shipment.sourceOrderId ? html`<bdi>${visible(shipment.sourceOrderId)}</bdi>` : html`<span class="muted">not matched by hand</span>`)}
          ${row('Unmatched since', shipment.unmatchedSince ? html`${time(shipment.unmatchedSince)} (the source system did not know the order)` : html`<span class="muted">—</span>`)}
        </tbody>
      </table>
      <form class="inline" method="post" action="${path}/replay">
        ${csrfField(csrf)}
        <button type="submit" class="secondary">Replay current state</button>
        <span class="muted">sends the current state again under a new delivery id</span>
      </form>
    </section>
    ${renderEvents(detail.events)} ${renderDeliveries(detail.deliveries, csrf, path)}`;
}

function row(label: string, value: SafeHtml): SafeHtml {
  return html`<tr>
    <th scope="row">${label}</th>
    <td>${value}</td>
  </tr>`;
}

function renderEvents(newestFirst: readonly TrackingEventRow[]): SafeHtml {
  const arrived = [...newestFirst].sort((a, b) => a.id - b.id);
  const states = statesAfterEach(arrived);
  return html`<section aria-labelledby="events-heading">
    <h2 id="events-heading">Events (${arrived.length}), in the order they arrived</h2>
    <table>
      <thead>
        <tr>
          <th scope="col">Received</th>
          <th scope="col">Source</th>
          <th scope="col">Status sent</th>
          <th scope="col">Carrier time</th>
          <th scope="col">Result</th>
          <th scope="col">State after</th>
          <th scope="col">Payload</th>
        </tr>
      </thead>
      <tbody>
        ${arrived.map((event, i) => {
          const after = states[i];
          return html`<tr>
            <td>${time(event.receivedAt)}</td>
            <td>${event.source}</td>
            <td>${visible(event.trackingStatus)}</td>
            <td>${time(event.lastUpdatedDate)}</td>
            <td><span class="status ${event.result}">${event.result}</span></td>
            <td>
              ${after ? html`${visible(after.trackingStatus)} as of ${time(after.lastUpdatedDate)}` : ''}
            </td>
            <td>
              <details>
                <summary>Raw payload</summary>
                <pre>${bounded(JSON.stringify(event.payload, null, 2), PAYLOAD_SHOWN_CHARS)}</pre>
              </details>
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </section>`;
}

/**
 * The projected state after each event, folded with the domain's own projection over the
 * events that had arrived by then (the same fold the worker used when it stored them).
 */
function statesAfterEach(arrived: readonly TrackingEventRow[]): (ShipmentState | null)[] {
  const history: StoredEvent[] = [];
  return arrived.map((row) => {
    history.push({
      eventId: row.eventId,
      event: {
        orderNumber: row.orderNumber,
        trackingNumber: row.trackingNumber,
        trackingStatus: row.trackingStatus,
        statusKnown: row.statusKnown,
        lastUpdatedDate: row.lastUpdatedDate,
        shipmentDate: row.shipmentDate,
        carrierName: row.carrierName,
        carrierService: row.carrierService,
        orderReference: row.orderReference,
      },
    });
    return projectHistory(history);
  });
}

function renderDeliveries(
  newestFirst: readonly DeliveryWithAttempts[],
  csrf: string,
  back: string,
): SafeHtml {
  return html`<section aria-labelledby="deliveries-heading">
    <h2 id="deliveries-heading">
      Deliveries to the source system (${newestFirst.length}), newest first
    </h2>
    ${newestFirst.length === 0 ? html`<p class="muted">None: no change of state to deliver yet.</p>` : ''}
    ${newestFirst.map(
      ({ delivery, attempts }) =>
        html`<table>
          <caption>
            <span class="status ${delivery.status}">${delivery.status}</span>
            <code>${delivery.deliveryId}</code>
            → ${visible(delivery.destination)} · ${delivery.reason} of
            ${visible(delivery.state.trackingStatus)} (${time(delivery.state.lastUpdatedDate)}) ·
            created ${time(delivery.createdAt)}
            ${delivery.status === 'failed' ? retryForm(delivery.deliveryId, csrf, back) : ''}
          </caption>
          <thead>
            <tr>
              <th scope="col">Attempt</th>
              <th scope="col">Started</th>
              <th scope="col">Outcome</th>
              <th scope="col" class="num">HTTP status</th>
              <th scope="col">Error</th>
              <th scope="col" class="num">Duration</th>
            </tr>
          </thead>
          <tbody>
            ${
              attempts.length === 0
                ? html`<tr>
                    <td colspan="6" class="muted">no call made yet</td>
                  </tr>`
                : ''
            }
            ${attempts.map(
              (attempt) =>
                html`<tr>
                  <td>${attempt.attempt}</td>
                  <td>${time(attempt.startedAt)}</td>
                  <td><span class="status ${attempt.outcome}">${attempt.outcome}</span></td>
                  <td class="num">${attempt.httpStatus ?? '—'}</td>
                  <td>${bounded(attempt.error ?? '', 500)}</td>
                  <td class="num">
                    ${attempt.finishedAt.getTime() - attempt.startedAt.getTime()} ms
                  </td>
                </tr>`,
            )}
          </tbody>
        </table>`,
    )}
  </section>`;
}

export function retryForm(deliveryId: string, csrf: string, back: string): SafeHtml {
  return html`<form class="inline" method="post" action="${href(`/failed/${deliveryId}/retry`)}">
    ${csrfField(csrf)}<input type="hidden" name="return" value="${back}" />
    <button type="submit" aria-label="Retry delivery ${deliveryId}">Retry</button>
  </form>`;
}
