// `npm run screenshots`: rebuilds the app and runs the e2e suite with HK_DOCS_SCREENSHOTS=1, which
// makes the tests also write the README's screenshots (docs/*.png, 1440x900) from the real UI
// against the harness's real Prefect servers. Open each afterwards and look at it before committing.
import { spawnSync } from 'node:child_process';

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const build = spawnSync(npm, ['run', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const run = spawnSync(npx, ['vitest', 'run', '--project', 'e2e', ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, HK_DOCS_SCREENSHOTS: '1' } });
process.exit(run.status ?? 1);
