export * from './catalog';
export * from './connections';
export * from './enqueue';
