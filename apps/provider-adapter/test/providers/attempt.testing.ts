import type { Attempt, Provider } from '@tokenflow/contracts';

/** An attempt as the router plans it, for the provider specs. */
export function attemptFor(provider: Provider, upstreamModel: string, baseUrl = ''): Attempt {
  return {
    channelId: 'ch-1',
    channelName: `${provider}-main`,
    provider,
    baseUrl,
    apiKey: 'sk-upstream-secret-0123456789',
    upstreamModel,
    timeouts: { connectMs: 1000, firstByteMs: 2000, idleMs: 3000 },
  };
}

export const sent = (req: { body: string }): Record<string, unknown> => JSON.parse(req.body) as Record<string, unknown>;
