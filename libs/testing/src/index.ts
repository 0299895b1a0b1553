export * from './test-env';
export * from './hostile';
