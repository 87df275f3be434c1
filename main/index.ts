// Electron entry: wiring only.
import path from 'node:path';
import { runElectronApp } from './app/lifecycle';

runElectronApp(path.resolve(__dirname, '..'));
