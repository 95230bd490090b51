export * from './config';
export * from './http-server';
export * from './logger';
export * from './shutdown';
export * from './with-timeout';
