export * from './test-env';
export * from './hostile';
export * from './test-redis';
export * from './usage-event.fixture';
export * from './request-logged.fixture';
