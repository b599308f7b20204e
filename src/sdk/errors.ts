/** An error answer from the server, REST or WebSocket alike. */
export class ParleyApiError extends Error {
  constructor(
    readonly condition: string,
    text: string,
    readonly status?: number,
    readonly field?: string,
    readonly retryAfter?: number,
  ) {
    super(text);
    this.name = 'ParleyApiError';
  }
}

export function fromWire(
  e: { condition?: string; text?: string; field?: string; retryAfter?: number } | undefined,
  status?: number,
): ParleyApiError {
  return new ParleyApiError(
    e?.condition ?? 'internal-error',
    e?.text ?? 'unknown error',
    status,
    e?.field,
    e?.retryAfter,
  );
}
