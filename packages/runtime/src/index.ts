export * from './config';
export * from './http-server';
export * from './logger';
export * from './redis-env';
export * from './shutdown';
export * from './with-timeout';
