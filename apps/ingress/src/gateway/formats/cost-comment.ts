import { Headers } from '@tokenflow/contracts';

/** SSE comments are ignored by clients that do not look for them; headers are long gone when the cost is known. */
export const costComment = (costUsd: string | null): string => (costUsd ? `: ${Headers.cost}=${costUsd}\n\n` : '');
