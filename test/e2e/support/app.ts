/**
 * The usual start of an e2e test: a connection saved and chosen in a running `housekeeper serve`
 * (through its RPC, as the UI would), then Chromium on the app. One place, so every test connects
 * the same way a user does and none drifts (for example into a role other than the one it names).
 */
import type { HarnessInfo } from '../../harness/types';
import { openBrowser, type BrowserSession } from './browser';
import { rpc } from './rpc';
import type { ServeHandle } from './serve';

/** The harness's Postgres as a connection's database part: the Prefect owner, the read-only monitor, or the superuser. */
export function pgDb(h: HarnessInfo, database: string, role: 'owner' | 'monitor' | 'superuser' = 'owner') {
  const who = h.pg[role];
  return { kind: 'postgres' as const, host: h.pg.host, port: h.pg.port, database, user: who.user, password: who.password, sslmode: 'disable' as const };
}

/** Saves the connection and makes it the one in use; its id. */
export async function useConnection(serve: ServeHandle, draft: { name: string; apiUrl: string; db: unknown; readOnly?: boolean }): Promise<string> {
  const conn = await rpc<{ id: string }>(serve.openUrl, 'connections.save', { draft });
  await rpc(serve.openUrl, 'connections.use', { id: conn.id });
  return conn.id;
}

/** Chromium on the app, signed in, at the given size (the browser's default otherwise). */
export async function openApp(serve: ServeHandle, viewport?: { width: number; height: number }): Promise<BrowserSession> {
  const session = await openBrowser();
  if (viewport) await session.page.setViewportSize(viewport);
  await session.page.goto(serve.openUrl);
  return session;
}
