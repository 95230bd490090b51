export * from './tracking-events';
export * from './shipments';
export * from './parked-payloads';
export * from './deliveries';
export * from './reconcile';
