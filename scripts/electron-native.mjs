// Builds (or fetches) better-sqlite3's native add-on for ELECTRON's ABI into dist/native/, beside
// the bundles, without touching node_modules: the CLI, `npm test` and CI keep using node_modules'
// build for Node's ABI. Run by `npm start` (before opening the window) and `npm run dist`.
// Why and how: docs/decisions/0003-native-module-for-electron.md.
//
//   node scripts/electron-native.mjs                 # for the installed electron, into dist/native
//   node scripts/electron-native.mjs --runtime node  # same path for Node's ABI (checks the mechanism)
//   options: --target VERSION  --out DIR  --quiet
//
// Order of attempts, each in a private copy of the better-sqlite3 package under .cache/:
//   1. prebuild-install: better-sqlite3's prebuilt add-on for this runtime (download from GitHub);
//   2. node-gyp: compile it against the runtime's headers (download from electronjs.org for Electron),
//      needs Python 3 and a C++ toolchain.
// The result is cached in .cache/electron-native/<key>/ and copied to dist/native/. Exit 0 when the
// add-on is in place; exit 1 with a plain explanation when neither attempt could produce it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}
const quiet = process.argv.includes('--quiet');
const say = (msg) => quiet || process.stderr.write(`${msg}\n`);

const runtime = arg('runtime', 'electron');
const platform = process.platform;
const arch = process.arch;
const bsDir = path.dirname(require.resolve('better-sqlite3/package.json'));
const bsVersion = JSON.parse(readFileSync(path.join(bsDir, 'package.json'), 'utf8')).version;

let target;
let abi;
if (runtime === 'electron') {
  const eDir = path.dirname(require.resolve('electron/package.json'));
  target = arg('target', JSON.parse(readFileSync(path.join(eDir, 'package.json'), 'utf8')).version);
  const abiFile = path.join(eDir, 'abi_version');
  abi = !process.argv.includes('--target') && existsSync(abiFile) ? readFileSync(abiFile, 'utf8').trim() : require('node-abi').getAbi(target, 'electron');
} else if (runtime === 'node') {
  target = arg('target', process.versions.node);
  abi = target === process.versions.node ? process.versions.modules : require('node-abi').getAbi(target, 'node');
} else {
  say(`electron-native: unknown --runtime ${runtime} (electron or node)`);
  process.exit(2);
}

// Same naming as main/native/sqlite.ts electronAddonName(): the ABI is part of the name.
const addonName = `better_sqlite3-${runtime}-v${abi}-${platform}-${arch}.node`;
const outDir = path.resolve(root, arg('out', path.join('dist', 'native')));
const key = `better-sqlite3-${bsVersion}-${runtime}-${target}-${platform}-${arch}`;
const cacheDir = path.join(root, '.cache', 'electron-native', key);
const cached = path.join(cacheDir, 'better_sqlite3.node');

function install() {
  mkdirSync(outDir, { recursive: true });
  copyFileSync(cached, path.join(outDir, addonName));
  say(`electron-native: ${path.relative(root, path.join(outDir, addonName))} (better-sqlite3 ${bsVersion} for ${runtime} ${target}, ABI ${abi})`);
}

if (existsSync(cached)) {
  install();
  process.exit(0);
}

// A private copy of the package, without its Node build, so node_modules is never written to.
const work = path.join(cacheDir, 'src');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
cpSync(bsDir, work, { recursive: true, filter: (src) => !src.startsWith(path.join(bsDir, 'build')) });

// npm passes its config as npm_config_* variables (e.g. nodedir=/usr on Debian-style setups); they
// would silently point node-gyp at Node's headers and build the wrong ABI. Drop them.
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_config_/i.test(k)));
const built = path.join(work, 'build', 'Release', 'better_sqlite3.node');
const reasons = [];

function attempt(label, cmd, args, timeoutMs) {
  say(`electron-native: ${label}...`);
  const r = spawnSync(cmd, args, { cwd: work, env, encoding: 'utf8', timeout: timeoutMs });
  if (r.status === 0 && existsSync(built)) return true;
  const line = r.error?.code === 'ETIMEDOUT' ? `timed out after ${Math.round(timeoutMs / 1000)} s` : why(`${r.stdout ?? ''}\n${r.stderr ?? ''}`, r);
  reasons.push(`${label}: ${line}`);
  return false;
}

/** One line a person can act on, from a tool's output. */
function why(out, r) {
  if (/network connectivity|ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|getaddrinfo/i.test(out)) {
    const host = out.match(/(?:ENOTFOUND|getaddrinfo \w+) ([\w.-]+)/)?.[1];
    return `no network access to ${host ?? (runtime === 'electron' ? 'electronjs.org (headers)' : 'the download host')}`;
  }
  if (/No prebuilt binaries found/i.test(out)) return 'no prebuilt add-on is published for this runtime, platform and architecture';
  if (/find Python|python.*not found/i.test(out)) return 'Python 3 was not found (node-gyp needs it)';
  if (/not found: make|g\+\+: (?:command )?not found|No Xcode|Visual Studio/i.test(out)) return 'no C++ toolchain (make and a C++ compiler; Xcode CLT on macOS; Visual Studio Build Tools on Windows)';
  const err = out.match(/gyp ERR! stack Error: [^\n]*|error[^\n]*/i)?.[0];
  return (err ?? `exited with ${r.status ?? r.signal}`).trim();
}

const prebuildBin = path.join(path.dirname(require.resolve('prebuild-install/package.json')), 'bin.js');
const nodeGypBin = path.join(path.dirname(require.resolve('node-gyp/package.json')), 'bin', 'node-gyp.js');
const gypArgs = ['rebuild', '--release', `--target=${target}`, `--arch=${arch}`, `--devdir=${path.join(root, '.cache', `${runtime}-gyp`)}`];
if (runtime === 'electron') gypArgs.push('--dist-url=https://electronjs.org/headers');
else if (target === process.versions.node) {
  // Node's own headers, as installed with this Node (no download needed where they exist).
  const nodedir = [process.env.npm_config_nodedir, path.resolve(process.execPath, '..', '..')].find((d) => d && existsSync(path.join(d, 'include', 'node', 'node.h')));
  if (nodedir) gypArgs.push(`--nodedir=${nodedir}`);
}

const ok =
  attempt(`downloading the prebuilt add-on for ${runtime} ${target}`, process.execPath, [prebuildBin, '--runtime', runtime, '--target', target, '--arch', arch, '--platform', platform, '--verbose'], 120_000) ||
  attempt(`compiling it against ${runtime} ${target}'s headers (node-gyp)`, process.execPath, [nodeGypBin, ...gypArgs], 20 * 60_000);

if (!ok) {
  say(
    `\nHousekeeper could not get better-sqlite3 ${bsVersion} built for ${runtime} ${target} (NODE_MODULE_VERSION ${abi}, ${platform}-${arch}):\n` +
      reasons.map((r) => `  - ${r}`).join('\n') +
      `\nThe desktop window needs this add-on; the CLI, \`housekeeper serve\` and the tests do not (they use ` +
      `node_modules' build for Node, which was left untouched). Where github.com (prebuilt add-ons) or ` +
      `electronjs.org (Electron's headers, plus Python 3 and a C++ compiler) can be reached, run this again: ` +
      `node scripts/electron-native.mjs\n`,
  );
  process.exit(1);
}
copyFileSync(built, cached);
rmSync(work, { recursive: true, force: true });
install();

// Where the Electron runtime is installed, prove the add-on loads in it (Electron's Node, same ABI).
if (runtime === 'electron') {
  try {
    const eDir = path.dirname(require.resolve('electron/package.json'));
    const rel = readFileSync(path.join(eDir, 'path.txt'), 'utf8').trim();
    const bin = path.join(eDir, 'dist', rel);
    if (existsSync(bin)) {
      const probe = `const D=require(${JSON.stringify(bsDir)});const d=new D(':memory:',{nativeBinding:${JSON.stringify(path.join(outDir, addonName))}});console.log(d.prepare('select sqlite_version() v').get().v)`;
      const r = spawnSync(bin, ['-e', probe], { env: { ...env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 });
      if (r.status !== 0) {
        say(`electron-native: the add-on does not load in Electron ${target}: ${(r.stderr || r.stdout).trim().split('\n')[0]}`);
        rmSync(cached, { force: true });
        process.exit(1);
      }
      say(`electron-native: loads in Electron ${target} (SQLite ${r.stdout.trim()})`);
    }
  } catch {
    // no runtime installed: nothing to probe with
  }
}
