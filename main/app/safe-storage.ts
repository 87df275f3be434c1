/**
 * SECURITY-SENSITIVE: the Electron window encrypts secrets with the OS keychain (safeStorage).
 * See main/store/secrets/keyring.ts for the schemes and why each face uses which.
 */
import { safeStorage } from 'electron';
import type { Keyring } from '../store/secrets/keyring';

export function safeStorageKeyring(): Keyring | undefined {
  if (!safeStorage.isEncryptionAvailable()) return undefined;
  return {
    scheme: 'safeStorage',
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (blob) => safeStorage.decryptString(blob),
  };
}
