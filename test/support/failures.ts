/** Small helpers shared by tests that check failures: the AppError a promise rejects with, and a closed port. */
import net from 'node:net';
import { expect } from 'vitest';
import { AppError } from '../../shared/errors';

/** The AppError `p` rejects with; fails the test if it resolves or rejects with something else. */
export async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(AppError);
    return e as AppError;
  }
  throw new Error('expected a failure');
}

/** A port on 127.0.0.1 where nothing listens. */
export async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
