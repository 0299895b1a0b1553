export * from './logger';
export * from './trace-context';
export * from './tracing';
export * from './tracing-testing';
export * from './metrics';
export * from './run-main';
export * from './ops-server';
