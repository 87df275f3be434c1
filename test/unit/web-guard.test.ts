import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { allowedHostsFor, checkHostAndOrigin, checkToken } from '../../main/transport/web-guard';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;
const cfg = { token: 'tok_abcdefghijklmnopqrstuvwxyz', allowedHosts: allowedHostsFor('127.0.0.1', 4580) };

describe('web guard', () => {
  it('accepts loopback Host headers for the bound port only', () => {
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:4580' }), cfg).ok).toBe(true);
    expect(checkHostAndOrigin(req({ host: 'localhost:4580' }), cfg).ok).toBe(true);
    expect(checkHostAndOrigin(req({ host: 'evil.example:4580' }), cfg)).toMatchObject({ ok: false, status: 421 });
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:9999' }), cfg).ok).toBe(false);
    expect(checkHostAndOrigin(req({}), cfg).ok).toBe(false);
  });

  it('refuses cross-origin and opaque origins', () => {
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:4580', origin: 'http://127.0.0.1:4580' }), cfg).ok).toBe(true);
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:4580', origin: 'https://evil.example' }), cfg)).toMatchObject({ ok: false, status: 403 });
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:4580', origin: 'null' }), cfg).ok).toBe(false);
    expect(checkHostAndOrigin(req({ host: '127.0.0.1:4580', origin: 'not a url' }), cfg).ok).toBe(false);
  });

  it('requires the exact session token', () => {
    expect(checkToken(req({ 'x-housekeeper-token': cfg.token }), cfg).ok).toBe(true);
    expect(checkToken(req({}), cfg)).toMatchObject({ ok: false, status: 401 });
    expect(checkToken(req({ 'x-housekeeper-token': cfg.token.slice(0, -1) + 'X' }), cfg).ok).toBe(false);
    expect(checkToken(req({ 'x-housekeeper-token': 'short' }), cfg).ok).toBe(false);
  });
});
