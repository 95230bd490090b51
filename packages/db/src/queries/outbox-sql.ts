/**
 * The outbox part of both ingest statements (WRITE_EVENT and WRITE_EVENTS), written once so
 * the single-event path and the group commit can never write deliveries differently. An
 * event's outbox rows travel as one jsonb array — one element per configured destination,
 * `pending` when the destination's filter lets the change through, `skipped` when it does
 * not — so the destination list is a parameter, not part of the statement's text.
 */

/** The element shape of an outbox array, as jsonb_to_recordset reads it. */
const OUTBOX_RECORD = 'o(delivery_id text, destination text, status text)';

export interface OutboxSqlParts {
  /** The jsonb array expression, e.g. `$27::jsonb` or `i.outbox`. */
  readonly rows: string;
  readonly trackingNumber: string;
  readonly eventId: string;
  readonly state: string;
  readonly receivedAt: string;
  /** Everything after `from jsonb_to_recordset(…) as o(…)`: joins and the where clause. */
  readonly from: string;
  readonly where: string;
}

/** `insert into deliveries … returning 1` for the outbox rows of the events `from` selects. */
export function outboxInsertSql(parts: OutboxSqlParts): string {
  return `insert into deliveries (delivery_id, destination, status, finished_at, tracking_number,
    event_id, reason, state, received_at)
  select o.delivery_id, o.destination, o.status,
    case when o.status = 'skipped' then now() end,
    ${parts.trackingNumber}, ${parts.eventId}, 'change', ${parts.state}, ${parts.receivedAt}
  from ${parts.from} cross join lateral jsonb_to_recordset(${parts.rows}) as ${OUTBOX_RECORD}
  where ${parts.where}
  returning 1`;
}

/** One element of an outbox array. */
export interface OutboxRow {
  readonly deliveryId: string;
  readonly destination: string;
  readonly status: 'pending' | 'skipped';
}

export function outboxJsonOf(rows: readonly OutboxRow[]): {
  delivery_id: string;
  destination: string;
  status: string;
}[] {
  return rows.map((row) => ({
    delivery_id: row.deliveryId,
    destination: row.destination,
    status: row.status,
  }));
}
