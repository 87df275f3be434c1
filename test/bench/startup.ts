/**
 * Startup cost, measured not asserted: how long `housekeeper serve` takes to answer its first request
 * (process spawn -> URL printed -> app.info answered), and the renderer's initial JS size (raw and
 * gzip). Run with `npm run bench:startup` (builds first). Prints a small table; exits 0.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';

const root = path.resolve(__dirname, '..', '..');
const RUNS = Number(process.env.BENCH_RUNS ?? 7);

async function once(): Promise<{ toUrl: number; toFirstAnswer: number }> {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-bench-'));
  const t0 = performance.now();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'housekeeper.cjs'), 'serve', '--port', '0', '--no-open'], {
    env: { ...process.env, HOUSEKEEPER_HOME: home },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let buf = '';
      child.stdout.on('data', (d: Buffer) => {
        buf += d.toString();
        const m = /^(http:\/\/\S+)\n/m.exec(buf);
        if (m) resolve(m[1]!);
      });
      child.on('exit', (c) => reject(new Error(`serve exited ${c}`)));
    });
    const toUrl = performance.now() - t0;
    // As the page does: trade the one-time sign-in code for the session token, then ask.
    const code = /#code=(.+)$/.exec(url)![1]!;
    const base = url.replace(/#.*$/, '');
    const session = (await (await fetch(`${base}session`, { method: 'POST', body: JSON.stringify({ code }) })).json()) as { value: { token: string } };
    const token = session.value.token;
    const res = await fetch(`${base}rpc/app.info`, { method: 'POST', headers: { 'x-housekeeper-token': token }, body: '{}' });
    if (!res.ok) throw new Error(`app.info ${res.status}`);
    await res.json();
    return { toUrl, toFirstAnswer: performance.now() - t0 };
  } finally {
    child.kill('SIGTERM');
    fs.rmSync(home, { recursive: true, force: true });
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function rendererJs(): { raw: number; gzip: number; files: number } {
  const dir = path.join(root, 'dist', 'renderer');
  const html = fs.readFileSync(path.join(dir, 'index.html'), 'utf8');
  const scripts = [...html.matchAll(/<script[^>]+src="\.?\/?([^"]+)"/g)].map((m) => m[1]!);
  let raw = 0;
  let gzip = 0;
  for (const s of scripts) {
    const data = fs.readFileSync(path.join(dir, s));
    raw += data.length;
    gzip += zlib.gzipSync(data, { level: 9 }).length;
  }
  return { raw, gzip, files: scripts.length };
}

async function main(): Promise<void> {
  const samples: Array<{ toUrl: number; toFirstAnswer: number }> = [];
  for (let i = 0; i < RUNS; i++) samples.push(await once());
  const js = rendererJs();
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  console.log(`housekeeper serve startup (median of ${RUNS} runs, fresh store each)`);
  console.log(`  spawn -> URL printed       ${ms(median(samples.map((s) => s.toUrl)))}`);
  console.log(`  spawn -> first answer      ${ms(median(samples.map((s) => s.toFirstAnswer)))}`);
  console.log(`renderer initial JS (${js.files} file${js.files === 1 ? '' : 's'})`);
  console.log(`  raw                        ${(js.raw / 1024).toFixed(1)} KiB`);
  console.log(`  gzip                       ${(js.gzip / 1024).toFixed(1)} KiB`);
}

void main();
