export * from './migrate';
export * from './preflight';
export * from './process-group';
export * from './seed';
