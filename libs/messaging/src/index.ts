export * from './nats-bus';
export * from './frame-inbox';
export * from './durable-streams';
export * from './call-context';
export * from './messaging.module';
export * from './service-context';
export * from './codec';
export * from './nats-tracing';
