/**
 * In web mode, files come from the page and go back to it; paths on disk are for the window and the
 * CLI (issue #12, item 3). Over a real socket, with the real handlers on a throwaway store: importing
 * a private key by path is refused without echoing a line of it, writing by path is refused and
 * creates nothing, and the same content uploaded from the page still works.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../../main/context';
import { createHandlers } from '../../main/handlers';
import { startWebServer, type WebServer } from '../../main/transport/http';
import { dispatch } from '../../main/transport/dispatch';

let dir: string;
let ctx: AppContext;
let server: WebServer;
const KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-webpol-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html>');
  fs.writeFileSync(path.join(dir, 'id_ed25519'), KEY, { mode: 0o600 });
  fs.writeFileSync(path.join(dir, 'prefect.env'), 'PREFECT_API_URL=http://127.0.0.1:4200/api\n');
  ctx = createContext({ face: 'web', home: path.join(dir, 'store') });
  server = await startWebServer({ handlers: createHandlers(ctx), bus: ctx.bus, staticDir: dir, port: 0 });
});
afterAll(async () => {
  await server.close();
  await ctx.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function rpc(name: string, input: unknown): Promise<{ ok: boolean; value?: unknown; error?: { code: string; message: string; hint?: string } }> {
  const res = await fetch(`${server.url}rpc/${name}`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-housekeeper-token': server.token }, body: JSON.stringify(input) });
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe('the web face and files', () => {
  it('refuses to import a file by path, and never echoes its content', async () => {
    for (const [name, input] of [
      ['profiles.importPreview', { format: 'env', path: path.join(dir, 'id_ed25519') }],
      ['profiles.import', { source: { format: 'env', path: path.join(dir, 'id_ed25519') } }],
      ['profiles.importPreview', { format: 'toml', path: '/etc/passwd' }],
    ] as const) {
      const r = await rpc(name, input);
      expect(r.ok, name).toBe(false);
      expect(r.error).toMatchObject({ code: 'FORBIDDEN' });
      expect(r.error!.message).toMatch(/does not read a file by path/);
      expect(r.error!.hint).toMatch(/Choose the file in the page/);
      const text = JSON.stringify(r);
      expect(text).not.toMatch(/PRIVATE KEY|b3BlbnNzaC|root:/);
    }
    expect((await rpc('profiles.list', {})).value).toEqual([]);
  });

  it('refuses to write a file by path (export, purge export) and creates nothing', async () => {
    const created = await rpc('profiles.create', { name: 'web', values: { PREFECT_API_URL: 'http://127.0.0.1:4200/api' } });
    expect(created.ok).toBe(true);
    const id = (created.value as { id: string }).id;
    const target = path.join(dir, 'out', 'written.env');
    for (const [name, input] of [
      ['profiles.exportWrite', { id, format: 'env', path: target }],
      ['profiles.exportPreview', { id, format: 'toml', path: path.join(dir, 'id_ed25519') }],
      ['purge.execute', { planId: 'p', confirmCount: 1, exportFile: target }],
    ] as const) {
      const r = await rpc(name, input);
      expect(r.error, name).toMatchObject({ code: 'FORBIDDEN' });
      expect(JSON.stringify(r)).not.toMatch(/PRIVATE KEY/);
    }
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);
  });

  it('still imports content uploaded from the page and previews an export for download', async () => {
    const source = { format: 'env', content: 'PREFECT_API_URL=http://127.0.0.1:4200/api\n', name: 'uploaded' };
    expect((await rpc('profiles.importPreview', source)).ok).toBe(true);
    expect((await rpc('profiles.import', { source })).ok).toBe(true);
    const list = (await rpc('profiles.list', {})).value as Array<{ id: string; name: string }>;
    const id = list.find((p) => p.name === 'uploaded')!.id;
    const exp = await rpc('profiles.exportPreview', { id, format: 'env' });
    expect(exp.ok).toBe(true);
    expect((exp.value as { content: string }).content).toMatch(/PREFECT_API_URL/);
  });

  it('the window and the CLI keep paths (the same handler through the shared dispatch)', async () => {
    const r = await dispatch(createHandlers(ctx), 'profiles.importPreview', { format: 'env', path: path.join(dir, 'prefect.env') });
    expect(r.ok).toBe(true);
  });
});
