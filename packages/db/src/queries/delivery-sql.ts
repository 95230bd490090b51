import type pg from 'pg';

/**
 * The statements of the delivery path, written out once as named (server-side prepared)
 * statements like the ingest's: each delivery reads what it needs in one round trip and
 * records its attempt in one more, where the query builder made ten (a read of the delivery,
 * of its earlier change, of the shipment, a five-statement transaction and a read of its
 * successor). On a loaded worker every round trip is a socket write and a wake-up.
 */

/** `deliveries` as DeliveryRow reads it; `seq` as text, since pg leaves bigint unparsed. */
const DELIVERY_COLUMNS = `d.delivery_id, d.seq::text as seq, d.tracking_number, d.destination,
  d.event_id, d.reason, d.state, d.status, d.attempts, d.last_error, d.last_http_status,
  d.received_at, d.created_at, d.finished_at`;

/**
 * The delivery, the shipment's source order id (set when matched by hand) and the pending
 * delivery of the same shipment to the same destination just before it, if any: while that
 * one is pending, this one must wait.
 */
export const READ_DELIVERY_TO_SEND: pg.QueryConfig = {
  name: 'tracksync_read_delivery_to_send',
  text: `select ${DELIVERY_COLUMNS}, s.source_order_id,
  (select e.delivery_id from deliveries e
    where e.tracking_number = d.tracking_number and e.destination = d.destination
      and e.status = 'pending' and e.seq < d.seq
    order by e.seq desc limit 1) as earlier_pending_id
from deliveries d left join shipments s on s.tracking_number = d.tracking_number
where d.delivery_id = $1`,
};

/**
 * Each (shipment, destination)'s latest answered delivery — its status `delivered` or
 * `unmatched` — among the deliveries `where` picks: what decides whether the shipment is
 * unmatched, and where a retry or a manual match should go.
 */
export function latestAnswersSql(where: string): string {
  return `select distinct on (tracking_number, destination) tracking_number, destination, status
    from deliveries where status in ('delivered', 'unmatched') and (${where})
    order by tracking_number, destination, seq desc`;
}

/**
 * One call's record, in one atomic statement: the attempt row, the call counted, and — only
 * while the delivery is still pending — its new status and the shipment's unmatched mark (set
 * by a 404; cleared by a success once no other destination's latest answer is a 404). The
 * delivery's status before the call is read under a row lock (`before`), since RETURNING shows
 * only the row after. Returns the status after and, once settled, the shipment's next pending
 * delivery to the same destination, which may start now.
 *
 * $1 delivery id, $2 status the outcome gives, $3 error, $4 HTTP status, $5 adapter,
 * $6 attempt, $7 outcome kind, $8 Retry-After ms, $9 started at, $10 finished at,
 * $11 tracking number, $12 tracking status.
 */
export const RECORD_DELIVERY_ATTEMPT: pg.QueryConfig = {
  name: 'tracksync_record_delivery_attempt',
  text: `with before as (
  select delivery_id, status from deliveries where delivery_id = $1 for update
), counted as (
  update deliveries d set attempts = d.attempts + 1,
    status = case when b.status = 'pending' then $2::text else d.status end,
    last_error = case when b.status = 'pending' then $3::text else d.last_error end,
    last_http_status = case when b.status = 'pending' then $4::integer else d.last_http_status end,
    finished_at = case when b.status <> 'pending' then d.finished_at
      when $2::text = 'pending' then null else $10::timestamptz end
  from before b where d.delivery_id = b.delivery_id
  returning d.status, b.status = 'pending' as settled_now, d.tracking_number, d.destination, d.seq
), attempt as (
  insert into delivery_attempts (delivery_id, tracking_number, tracking_status, adapter, attempt,
    outcome, http_status, error, retry_after_ms, started_at, finished_at)
  values ($1, $11, $12, $5, $6, $7, $4::integer, $3::text, $8::bigint, $9::timestamptz,
    $10::timestamptz)
), unmatched as (
  update shipments s set unmatched_since = coalesce(s.unmatched_since, now())
  from counted c
  where c.settled_now and c.status = 'unmatched' and s.tracking_number = c.tracking_number
), matched as (
  update shipments s set unmatched_since = null
  from counted c
  where c.settled_now and c.status = 'delivered' and s.tracking_number = c.tracking_number
    and not exists (select 1 from (${latestAnswersSql(
      'tracking_number = c.tracking_number and destination <> c.destination',
    )}) latest where latest.status = 'unmatched')
)
select c.status,
  (select n.delivery_id from deliveries n
    where c.status <> 'pending' and n.tracking_number = c.tracking_number
      and n.destination = c.destination and n.status = 'pending' and n.seq > c.seq
    order by n.seq limit 1) as next_pending_id
from counted c`,
};
