/** An error exactly as a provider puts it on the wire: status, headers and JSON body. */
export class ProviderError extends Error {
  constructor(
    readonly status: number,
    private readonly payload: unknown,
    readonly headers: Record<string, string> = {},
    message = `HTTP ${status}`,
  ) {
    super(message);
    this.name = 'ProviderError';
  }

  body(): unknown {
    return this.payload;
  }
}
