// Electron entry: wiring only. dist/main/electron.cjs -> dist/
import path from 'node:path';
import { cliArgs, runCliAsNode } from './app/cli-entry';
import { runElectronApp } from './app/lifecycle';

const cli = cliArgs(process.argv, process.defaultApp === true);
if (cli) runCliAsNode(cli, __dirname);
else runElectronApp(path.resolve(__dirname, '..'));
