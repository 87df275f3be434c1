/**
 * Operating-system and network errors, through the built CLI, say what to do (issue #12, items 4
 * and 9): a port in use, an address that is not this machine's, a host name that does not resolve, a
 * store folder that is not writable or is a file. Binding beyond loopback works only when asked for,
 * with a warning. No raw syscall text (listen EADDRINUSE, getaddrinfo ENOTFOUND) reaches a person.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.resolve(__dirname, '..', '..');
const cli = path.join(root, 'bin', 'housekeeper.cjs');
const RAW = /listen E|getaddrinfo|EADDRINUSE:|EACCES:|EEXIST:|ENOTDIR:|\n\s+at /;

describe('system errors on the CLI', () => {
  let dir: string;
  const run = (args: string[], env: NodeJS.ProcessEnv = {}) =>
    spawnSync(process.execPath, [cli, ...args], { env: { ...process.env, HOUSEKEEPER_HOME: path.join(dir, 'home'), ...env }, encoding: 'utf8', timeout: 60_000 });

  beforeAll(() => {
    if (!fs.existsSync(path.join(root, 'dist', 'main', 'cli.cjs'))) throw new Error('Housekeeper is not built: run `npm run build` first.');
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-syserr-'));
    fs.chmodSync(dir, 0o755);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a port in use: pick another or --port 0', async () => {
    const busy = net.createServer();
    await new Promise<void>((r) => busy.listen(0, '127.0.0.1', r));
    const port = (busy.address() as net.AddressInfo).port;
    try {
      const r = run(['serve', '--port', String(port), '--no-open']);
      expect(r.status).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(new RegExp(`--port: port ${port} .* already in use`));
      expect(r.stderr).toMatch(/--port 0/);
      expect(r.stderr).not.toMatch(RAW);
    } finally {
      busy.close();
    }
  });

  it('a host that does not resolve: check the name', () => {
    const r = run(['serve', '--host', 'no-such-host.invalid', '--allow-remote', '--no-open']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/"no-such-host\.invalid" could not be found \(DNS\)/);
    expect(r.stderr).toMatch(/Check the host name/);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('an address that is not this machine’s', () => {
    const r = run(['serve', '--host', '192.0.2.1', '--allow-remote', '--no-open']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--host: 192\.0\.2\.1 is not an address of this machine/);
    expect(r.stderr).not.toMatch(RAW);
  });

  it('--host 0.0.0.0 --allow-remote listens beyond loopback, says so, and prints 127.0.0.1 to open', async () => {
    const child = spawn(process.execPath, [cli, 'serve', '--host', '0.0.0.0', '--allow-remote', '--port', '0', '--no-open'], {
      env: { ...process.env, HOUSEKEEPER_HOME: path.join(dir, 'remote-home') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    try {
      const deadline = Date.now() + 30_000;
      while (!out.includes('\n') && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/#code=/);
      expect(err).toMatch(/Warning: listening on 0\.0\.0\.0 \(--allow-remote\): other machines can reach this port/);
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('HOUSEKEEPER_HOME that is a file: says so, exit 1, nothing changed', () => {
    const file = path.join(dir, 'a-file');
    fs.writeFileSync(file, 'mine');
    const r = run(['connections', 'list'], { HOUSEKEEPER_HOME: file });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is a file, not a folder/);
    expect(r.stderr).not.toMatch(RAW);
    expect(fs.readFileSync(file, 'utf8')).toBe('mine');
  });

  it('a store folder that is not writable: not damaged, not writable', () => {
    const home = path.join(dir, 'locked');
    expect(run(['connections', 'list'], { HOUSEKEEPER_HOME: home }).status).toBe(0);
    const before = fs.readFileSync(path.join(home, 'housekeeper.db'));
    let r: ReturnType<typeof spawnSync>;
    if (process.getuid?.() === 0) {
      // root ignores permissions: run as "nobody", for whom this root-owned 0700 folder is closed.
      r = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, cli, 'connections', 'list'], {
        env: { ...process.env, HOME: '/tmp', HOUSEKEEPER_HOME: home },
        encoding: 'utf8',
        timeout: 60_000,
      });
    } else {
      fs.chmodSync(home, 0o500);
      r = run(['connections', 'list'], { HOUSEKEEPER_HOME: home });
      fs.chmodSync(home, 0o700);
    }
    expect(r.status).toBe(1);
    expect(String(r.stderr)).toMatch(/not writable for this user\. Nothing is damaged/);
    expect(String(r.stderr)).not.toMatch(/is damaged \(/);
    expect(String(r.stderr)).not.toMatch(RAW);
    expect(fs.readFileSync(path.join(home, 'housekeeper.db')).equals(before)).toBe(true);
  });
});
