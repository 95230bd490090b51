export { createAdminApp, type AdminDeps } from './admin/app';
export { loadWorkerConfig, workerEnvSchema, type WorkerConfig } from './config';
export { createWorkerMetrics, type WorkerMetrics, type WorkerMetricsDeps } from './metrics';
export type { RecordResult } from '@tracksync/db';
export {
  createProcessors,
  createWorkers,
  type JobProcessor,
  type Processors,
  type WorkerSet,
  type WorkersDeps,
} from './workers';
