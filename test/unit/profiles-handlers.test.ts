/** The profile requests through the real dispatch path: inputs parsed, outputs checked against the contract. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createContext, type AppContext } from '../../main/context';
import { createHandlers } from '../../main/handlers';
import { dispatch, type Handlers } from '../../main/transport/dispatch';
import { webRefusal } from '../../main/transport/web-policy';
import type { Output, RequestName } from '../../shared/contract';

let home: string;
let ctx: AppContext;
let handlers: Handlers;

beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-prof-h-'));
  ctx = createContext({ face: 'cli', home });
  handlers = createHandlers(ctx);
});
afterEach(async () => {
  await ctx.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function call<N extends RequestName>(name: N, input: unknown): Promise<Output<N>> {
  const r = await dispatch(handlers, name, input);
  if (!r.ok) throw new Error(`${r.error.code}: ${r.error.message}`);
  return r.value as Output<N>;
}

describe('profiles requests', () => {
  it('create, save, history, diff, restore', async () => {
    const p = await call('profiles.create', { name: 'prod', values: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '100' } });
    const p2 = await call('profiles.save', { id: p.id, baseRev: 1, set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' }, message: 'fewer runs' });
    expect(p2.rev).toBe(2);
    expect((await call('profiles.history', { id: p.id })).map((h) => h.rev)).toEqual([2, 1]);
    expect(await call('profiles.diff', { a: { id: p.id, rev: 1 }, b: { id: p.id } })).toEqual([
      { name: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS', status: 'changed', before: '100', after: '20', secret: false },
    ]);
    expect((await call('profiles.restore', { id: p.id, rev: 1 })).rev).toBe(3);
    const stale = await dispatch(handlers, 'profiles.save', { id: p.id, baseRev: 1, set: { PREFECT_LOGGING_LEVEL: 'INFO' } });
    expect(stale.ok === false && stale.error.code).toBe('CONFLICT');
  });

  it('refuses a bad profile name and a bad setting name at the boundary', async () => {
    const bad = await dispatch(handlers, 'profiles.create', { name: 'has space' });
    expect(bad.ok === false && bad.error.code).toBe('VALIDATION');
    const p = await call('profiles.create', { name: 'a' });
    const badKey = await dispatch(handlers, 'profiles.save', { id: p.id, baseRev: 1, set: { 'NOT A NAME': 'x' } });
    expect(badKey.ok === false && badKey.error.code).toBe('VALIDATION');
  });

  it('merges into the text of a picked profiles.toml (the web face’s way), keeping its other profiles', async () => {
    const p = await call('profiles.create', { name: 'prod', values: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' } });
    const existing = '# mine\nactive = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n\n[profiles.prod]\n# keep me\nPREFECT_LOGGING_LEVEL = "INFO"\n';
    const req = { id: p.id, format: 'toml', mergeInto: existing };
    // The web face lets this through: no path on the machine is read or named.
    expect(webRefusal('profiles.exportPreview', req)).toBeNull();
    const merged = await call('profiles.exportPreview', req);
    expect(merged.target).toBeNull();
    expect(merged.fileName).toBe('profiles.toml');
    expect(merged.content).toMatch(/^# mine\nactive = "local"/);
    expect(merged.content).toContain('[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"');
    expect(merged.content).toContain('# keep me');
    expect(merged.content).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS = "20"');
    expect(merged.content).not.toContain('PREFECT_LOGGING_LEVEL');
    expect(merged.notes).toContain('Merged into the chosen profiles.toml: replaces profile "prod" and keeps its other profile (local).');

    // Only a profiles.toml merges; never together with a path; a file that is not TOML is refused
    // without a line of it in the answer.
    const env = await dispatch(handlers, 'profiles.exportPreview', { ...req, format: 'env' });
    expect(env.ok === false && env.error.code).toBe('VALIDATION');
    const both = await dispatch(handlers, 'profiles.exportPreview', { ...req, path: path.join(home, 'profiles.toml') });
    expect(both.ok === false && both.error.code).toBe('VALIDATION');
    expect(fs.existsSync(path.join(home, 'profiles.toml'))).toBe(false);
    const key = '-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n';
    const bad = await dispatch(handlers, 'profiles.exportPreview', { ...req, mergeInto: key });
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(bad.error.code).toBe('VALIDATION');
      expect(JSON.stringify(bad.error)).not.toMatch(/b3BlbnNzaC1rZXkt|OPENSSH/);
    }
  });

  it('imports a profiles.toml, previews and writes a merged export', async () => {
    const file = path.join(home, 'profiles.toml');
    fs.writeFileSync(file, '# mine\nactive = "local"\n\n[profiles.local]\nPREFECT_API_URL = "http://127.0.0.1:4200/api"\n\n[profiles.prod]\nPREFECT_API_SERVICES_SCHEDULER_MAX_RUNS = "50"\nPREFECT_SERVER_API_AUTH_STRING = "admin:pw"\n');
    const preview = await call('profiles.importPreview', { format: 'toml', path: file });
    expect(preview.profiles.map((p) => [p.name, p.exists])).toEqual([['local', false], ['prod', false]]);
    expect(preview.profiles[1]!.values.find((v) => v.secret)).toEqual({ name: 'PREFECT_SERVER_API_AUTH_STRING', value: null, secret: true });
    const { imported } = await call('profiles.import', { source: { format: 'toml', path: file }, select: ['prod'] });
    const prod = imported[0]!;
    expect(prod.issues.map((i) => i.code)).toContain('legacy-name');

    await call('profiles.save', { id: prod.id, baseRev: prod.rev, rename: { PREFECT_API_SERVICES_SCHEDULER_MAX_RUNS: 'PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS' }, set: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS: '20' } });
    const ex = await call('profiles.exportPreview', { id: prod.id, format: 'toml', path: file });
    expect(ex.target).toMatchObject({ exists: true, replaced: true, otherProfiles: ['local'] });
    expect(ex.omitted).toEqual(['PREFECT_SERVER_API_AUTH_STRING']);
    const w = await call('profiles.exportWrite', { id: prod.id, format: 'toml', path: file, fingerprint: ex.target!.fingerprint });
    expect(w.backupPath).not.toBeNull();
    const written = fs.readFileSync(file, 'utf8');
    expect(written).toContain('# mine');
    expect(written).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_RUNS = "20"');
    expect(written).toContain('[profiles.local]');
    // Secrets are not written without includeSecrets; the file's own line for one is left alone.
    expect(written).toContain('PREFECT_SERVER_API_AUTH_STRING = "admin:pw"');
    expect(w.notes.join(' ')).toMatch(/PREFECT_SERVER_API_AUTH_STRING: left as the file has it/);

    // A second write with the old fingerprint is refused: the file changed since that preview.
    const again = await dispatch(handlers, 'profiles.exportWrite', { id: prod.id, format: 'toml', path: file, fingerprint: ex.target!.fingerprint });
    expect(again.ok === false && again.error.code).toBe('CONFLICT');
  });

  it('refuses to export values Prefect would reject unless forced', async () => {
    const refused = await dispatch(handlers, 'profiles.create', { name: 'bad', values: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: '3600' } });
    expect(refused.ok === false && refused.error.code).toBe('VALIDATION');
    const p = await call('profiles.create', { name: 'bad', values: { PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME: '3600' }, force: true });
    const file = path.join(home, 'bad.env');
    const r = await dispatch(handlers, 'profiles.exportWrite', { id: p.id, format: 'env', path: file, fingerprint: null });
    expect(r.ok === false && r.error.code).toBe('VALIDATION');
    expect(fs.existsSync(file)).toBe(false);
    await call('profiles.exportWrite', { id: p.id, format: 'env', path: file, fingerprint: null, force: true });
    expect(fs.readFileSync(file, 'utf8')).toContain('PREFECT_SERVER_SERVICES_SCHEDULER_MAX_SCHEDULED_TIME=3600');
  });

  it('refuses content that is not a settings file without echoing it, on every face', async () => {
    const key = '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\nVTLw7onLRnrq0/IzW7yWR7QkrmBL7jTKEn5u+qKhbwKfBstIs+bMY2Zkp18gnTxK\n-----END RSA PRIVATE KEY-----\n';
    for (const format of ['toml', 'env', 'compose', 'k8s', 'helm', 'systemd'] as const) {
      const r = await dispatch(handlers, 'profiles.importPreview', { format, content: key, fileName: 'id_rsa' });
      expect(r.ok, format).toBe(false);
      const text = JSON.stringify(r);
      for (const line of key.trim().split('\n')) expect(text, `${format} echoed a line`).not.toContain(line.slice(0, 16));
      const imp = await dispatch(handlers, 'profiles.import', { source: { format, content: key } });
      expect(imp.ok === false && imp.error.code, format).toBe('VALIDATION');
    }
    expect(await call('profiles.list', {})).toEqual([]);
  });

  it('deletes and undeletes', async () => {
    const p = await call('profiles.create', { name: 'gone' });
    await call('profiles.delete', { id: p.id });
    expect(await call('profiles.list', {})).toEqual([]);
    expect((await call('profiles.list', { includeDeleted: true }))[0]!.deletedAt).not.toBeNull();
    expect((await call('profiles.undelete', { id: p.id })).deletedAt).toBeNull();
  });
});
