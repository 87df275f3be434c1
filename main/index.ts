// Electron entry: wiring only. dist/main/electron.cjs -> dist/
import path from 'node:path';
import { runElectronApp } from './app/lifecycle';

runElectronApp(path.resolve(__dirname, '..'));
