export * from './statuses';
export * from './timestamps';
export * from './tracking-event';
export * from './storable-json';
export * from './dedup-key';
export * from './shipment-projection';
export * from './delivery-outcome';
export * from './retry-after';
