// `node scripts/run-parallel.mjs script-a script-b ...`: runs npm scripts at the same time and fails if
// any fails. `npm test` uses it for the parts that mostly wait on Prefect's scheduler loops (the compat
// lines and the end-to-end suite, each with its own harness), which kept CI past 30 minutes one after
// the other. Each script's output is printed whole when it ends, so logs do not interleave.
import { spawn } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const scripts = process.argv.slice(2);
if (scripts.length === 0) {
  process.stderr.write('usage: node scripts/run-parallel.mjs <npm script> [<npm script> ...]\n');
  process.exit(2);
}

function run(name) {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const chunks = [];
    const child = spawn(npm, ['run', name], { stdio: ['ignore', 'pipe', 'pipe'], env: process.env });
    child.stdout.on('data', (c) => chunks.push(c));
    child.stderr.on('data', (c) => chunks.push(c));
    child.on('error', (e) => chunks.push(Buffer.from(`${e.message}\n`)));
    child.on('close', (code, signal) => {
      const seconds = ((Date.now() - t0) / 1000).toFixed(0);
      process.stdout.write(`\n===== npm run ${name}: ${code === 0 ? 'passed' : 'FAILED'} in ${seconds} s =====\n`);
      process.stdout.write(Buffer.concat(chunks));
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}

const codes = await Promise.all(scripts.map(run));
process.exit(codes.some((c) => c !== 0) ? 1 : 0);
