export * from './source-adapter';
export * from './registry';
export { createLogAdapter } from './log/adapter';
export { createHttpAdapter, type HttpAdapterOptions } from './http/adapter';
export { toWireBody, SHIPMENT_EVENT_TYPE, type WireBody } from './http/transform';
export { isSigningSecret, signingSecretProblem } from './http/signing';
export { SIGNING_SECRET_HINT } from './http/signing';
export { authSchema, createAuthenticator, type AuthConfig, type Authenticator } from './auth/auth';
export { TokenError } from './auth/oauth2';
export {
  buildRequest,
  changeOf,
  TransformationError,
  type Change,
  type SourceRequest,
  type TransformContext,
  type Transformation,
} from './transform/request';
export type { AdapterFactory, PluginContext } from './plugin';
export { loadOperatorModule } from './load-module';
export { createWooCommerceAdapter, type WooCommerceOptions } from './woocommerce/adapter';
