export {
  ApiError,
  isApiError,
  isRetryableStatus,
  type ApiErrorInit,
  type ApiErrorKind,
} from './api-error';
export {
  createStarshipitClient,
  DEFAULT_TIMEOUT_MS,
  MAX_PAGE_SIZE,
  type OrderInclude,
  type PageParams,
  type StarshipitClient,
  type StarshipitClientOptions,
} from './client';
export { paginate, type ListPage } from './paginate';
export {
  createRedisRateLimiter,
  type RateGrant,
  type RedisRateLimiter,
  type RedisRateLimiterOptions,
} from './rate-limiter';
export type { RateLimiter, RequestRecord } from './request';
export { backoffMs, withApiRetries, type ApiRetryOptions, type Sleep } from './retry';
export * from './schemas';
export {
  printedShipmentToPayloads,
  shippedOrdersToPayloads,
  shippedOrderToPayload,
  trackResultToPayload,
  type PolledTrackingPayload,
} from './to-tracking-payloads';
