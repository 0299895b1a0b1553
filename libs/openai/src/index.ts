export * from './chat-request.schema';
export * from './validate';
export * from './sse';
export * from './completion-assembler';
export * from './token-count';
export * from './completions-request.schema';
export * from './text-completion-assembler';
