import { ClientError } from './client';

/** Whatever a call threw, as a ClientError a screen can render (message, hint, code). */
export function toClientError(e: unknown): ClientError {
  if (e instanceof ClientError) return e;
  const message = e instanceof Error && e.message ? e.message : String(e);
  return new ClientError({
    code: 'INTERNAL',
    message: `Something went wrong in the window: ${message}`,
    hint: 'Reload the page. If it happens again, the Activity log and the terminal running Housekeeper have details.',
  });
}
