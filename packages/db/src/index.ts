export * from './client';
export * from './migrate';
export * from './schema';
export * from './queries/tracking-events';
export * from './queries/shipments';
export * from './queries/parked-payloads';
export * from './queries/deliveries';
