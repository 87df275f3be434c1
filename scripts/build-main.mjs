// Bundles the main-process code with esbuild: the CLI (also the local web mode), the Electron main
// entry and the sandboxed preload (which must be a single file). Native and Electron modules stay external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  logLevel: 'warning',
  external: ['electron', 'better-sqlite3', 'pg-native'],
  define: { __HK_VERSION__: JSON.stringify(pkg.version) },
};

await Promise.all([
  build({ ...common, entryPoints: ['main/cli/index.ts'], outfile: 'dist/main/cli.cjs' }),
  build({ ...common, entryPoints: ['main/index.ts'], outfile: 'dist/main/electron.cjs' }),
  build({ ...common, entryPoints: ['main/preload/index.ts'], outfile: 'dist/main/preload.cjs', platform: 'browser', external: ['electron'] }),
]);
