export * from './env';
export { z } from 'zod';
export * from './database';
