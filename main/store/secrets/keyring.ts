/**
 * ============================== SECURITY-SENSITIVE ==============================
 * How secrets (database passwords, Prefect API keys, auth strings) are encrypted at rest.
 * Change only with care; see README "Where data and secrets live".
 *
 * - Electron window: the OS keychain via Electron's safeStorage (scheme "safeStorage"; the keyring is
 *   provided by main/app, since main/core and main/store never import electron).
 * - CLI and local web mode: AES-256-GCM with a random 256-bit key kept in `<store>/secret.key`,
 *   created with mode 0600 in a 0700 folder (scheme "keyfile-v1"). Anyone who can read that file as
 *   you can read the secrets, exactly like ~/.pgpass; it keeps them out of the database file, out of
 *   backups of it and out of exports.
 * - On Linux, safeStorage may fall back to its `basic_text` backend (no keyring daemon): that is a
 *   fixed, public key, i.e. plain text. Then the window writes with the key-file scheme too and keeps
 *   safeStorage only to read what it wrote before (`osKeychainProtects`, issue #12 item 7).
 * Every stored row records its scheme, so a face that cannot read a scheme says so plainly.
 * ================================================================================
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import { KEY_FILE } from '../paths';

export interface Keyring {
  readonly scheme: string;
  /** false: only read secrets written earlier with this scheme; new ones go to the next keyring. */
  readonly writable?: boolean;
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

/**
 * Whether Electron's safeStorage really protects secrets on this machine. On Linux its backend
 * `basic_text` (chosen when no Secret Service / KWallet is running) encrypts with a hard-coded
 * password, which is plain text for anyone who can read the file; `unknown` means it is not
 * initialised yet. Elsewhere (macOS Keychain, Windows DPAPI) it does.
 */
export function osKeychainProtects(platform: NodeJS.Platform, available: boolean, linuxBackend: string | null): boolean {
  if (!available) return false;
  if (platform !== 'linux') return true;
  return linuxBackend !== null && linuxBackend !== 'basic_text' && linuxBackend !== 'unknown';
}

const VERSION = 1;

export class KeyFileKeyring implements Keyring {
  readonly scheme = 'keyfile-v1';
  readonly #key: Buffer;

  constructor(home: string) {
    this.#key = loadOrCreateKey(path.join(home, KEY_FILE));
  }

  encrypt(plain: string): Buffer {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv('aes-256-gcm', this.#key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
  }

  decrypt(blob: Buffer): string {
    if (blob.length < 29 || blob[0] !== VERSION) throw new Error('unknown secret format');
    const iv = blob.subarray(1, 13);
    const tag = blob.subarray(13, 29);
    const decipher = crypto.createDecipheriv('aes-256-gcm', this.#key, iv);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(blob.subarray(29)), decipher.final()]).toString('utf8');
  }
}

function loadOrCreateKey(file: string): Buffer {
  try {
    if (fs.statSync(file).isDirectory()) {
      throw new AppError('STORE', `The secret key file ${file} is a folder, not a file.`, {
        hint: 'Move that folder aside. If it held the key before, restore the key file from a backup; otherwise a new key is made and saved secrets must be re-entered.',
      });
    }
    const key = fs.readFileSync(file);
    if (key.length !== 32) throw new AppError('STORE', `The secret key file ${file} is not a valid key.`, {
      hint: 'Restore it from a backup; without it the saved passwords cannot be read (re-enter them).',
    });
    if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  const key = crypto.randomBytes(32);
  // 'wx' = O_EXCL: if two processes race, one wins and the other re-reads its key.
  try {
    fs.writeFileSync(file, key, { mode: 0o600, flag: 'wx' });
    return key;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return fs.readFileSync(file);
    throw e;
  }
}
