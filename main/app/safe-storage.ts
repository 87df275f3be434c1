/**
 * SECURITY-SENSITIVE: the Electron window encrypts secrets with the OS keychain (safeStorage).
 * See main/store/secrets/keyring.ts for the schemes and why each face uses which.
 */
import { safeStorage } from 'electron';
import { osKeychainProtects, type Keyring } from '../store/secrets/keyring';

export function safeStorageKeyring(): Keyring | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  // Linux `basic_text` is plain text: write with the key file instead, read what was written before.
  const backend = process.platform === 'linux' ? safeStorage.getSelectedStorageBackend() : null;
  return {
    scheme: 'safeStorage',
    writable: osKeychainProtects(process.platform, true, backend),
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (blob) => safeStorage.decryptString(blob),
  };
}
