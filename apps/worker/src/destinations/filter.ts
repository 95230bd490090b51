import type { ShipmentState } from '@tracksync/domain';
import type { FilterSpec } from './schema';

/**
 * A destination's filter as a predicate over the new state. Every condition given must hold;
 * no filter takes every change. Carriers compare without regard to case (Starshipit's own
 * spelling varies between webhooks and its API); statuses compare exactly, as Starshipit sends.
 */
export function compileFilter(spec: FilterSpec | undefined): (state: ShipmentState) => boolean {
  if (!spec) return () => true;
  const statuses = spec.statuses && new Set(spec.statuses);
  const carriers = spec.carriers && new Set(spec.carriers.map((c) => c.toLowerCase()));
  const orderNumber = spec.order_number === undefined ? null : new RegExp(spec.order_number, 'u');
  return (state) =>
    (!statuses || statuses.has(state.trackingStatus)) &&
    (!carriers || carriers.has((state.carrierName ?? '').toLowerCase())) &&
    (!orderNumber || orderNumber.test(state.orderNumber));
}
