export * from './logger';
export * from './trace-context';
export * from './metrics';
export * from './run-main';
