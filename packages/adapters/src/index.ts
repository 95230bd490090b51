export * from './source-adapter';
export * from './registry';
export { createLogAdapter } from './log/adapter';
export { createHttpAdapter, type HttpAdapterOptions } from './http/adapter';
export { toWireBody, SHIPMENT_EVENT_TYPE, type WireBody } from './http/transform';
export { isSigningSecret, signingSecretProblem } from './http/signing';
