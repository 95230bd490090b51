export { createApp, type IngressDeps } from './app';
export { loadIngressConfig, type IngressConfig } from './config';
export { createIngressMetrics, type IngressMetrics } from './metrics';
export { createRedisErrorLog } from './redis-errors';
export { verifySignature } from './signature';
