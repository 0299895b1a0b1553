export * from './responses-request.schema';
export * from './responses-request.limits';
export * from './response-ids';
export * from './response-object';
export * from './response-assembler';
export * from './response-stream.encoder';
export * from './to-chat-request';
