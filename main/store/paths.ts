/**
 * Where Housekeeper keeps its local data: the platform's user-data dir, the same folder Electron's
 * app.getPath('userData') gives for productName "Housekeeper", so the window, the CLI and the web mode
 * share one store. HOUSEKEEPER_HOME overrides (tests, portable installs).
 */
import os from 'node:os';
import path from 'node:path';

export function resolveHome(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.HOUSEKEEPER_HOME) return path.resolve(env.HOUSEKEEPER_HOME);
  const home = os.homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Application Support', 'Housekeeper');
  if (platform === 'win32') return path.join(env.APPDATA ?? path.join(home, 'AppData', 'Roaming'), 'Housekeeper');
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'Housekeeper');
}

export const STORE_FILE = 'housekeeper.db';
export const KEY_FILE = 'secret.key';
