import type { Database } from 'better-sqlite3';
import { AppError } from '../../../shared/errors';
import { registerSecret } from '../../core/log/redact';
import type { Keyring } from '../secrets/keyring';

interface SecretRow {
  scheme: string;
  ciphertext: Buffer;
  destination: string | null;
}

/** Encrypted secrets by (owner, name). Decrypted values are registered with the log redactor. */
export class SecretsRepo {
  private readonly writer: Keyring;

  constructor(
    private readonly db: Database,
    /** Keyrings this face can read; new secrets are written with the first writable one. */
    private readonly keyrings: readonly Keyring[],
  ) {
    const writer = keyrings.find((k) => k.writable !== false);
    if (!writer) throw new Error('SecretsRepo needs at least one writable keyring');
    this.writer = writer;
  }

  get scheme(): string {
    return this.writer.scheme;
  }

  /** `destination`: where this secret may be sent (shared/domain/destination.ts); null for none. */
  set(ownerId: string, name: string, value: string, destination: string | null = null): void {
    const kr = this.writer;
    registerSecret(value);
    this.db
      .prepare(
        `INSERT INTO secret (owner_id, name, scheme, ciphertext, updated_at, destination) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (owner_id, name) DO UPDATE SET scheme = excluded.scheme, ciphertext = excluded.ciphertext,
           updated_at = excluded.updated_at, destination = excluded.destination`,
      )
      .run(ownerId, name, kr.scheme, kr.encrypt(value), new Date().toISOString(), destination);
  }

  /** The destination a stored secret was saved for: undefined when there is no such secret. */
  destinationOf(ownerId: string, name: string): string | null | undefined {
    const row = this.db.prepare('SELECT destination FROM secret WHERE owner_id = ? AND name = ?').get(ownerId, name) as { destination: string | null } | undefined;
    return row ? row.destination : undefined;
  }

  has(ownerId: string, name: string): boolean {
    return this.db.prepare('SELECT 1 FROM secret WHERE owner_id = ? AND name = ?').get(ownerId, name) !== undefined;
  }

  /**
   * The secret, decrypted. With `destination`, only if it was saved for that destination
   * (SECRET_REQUIRED otherwise): the last line of defence of "a secret goes only where it was saved for".
   */
  get(ownerId: string, name: string, opts: { destination?: string } = {}): string | null {
    const row = this.db
      .prepare('SELECT scheme, ciphertext, destination FROM secret WHERE owner_id = ? AND name = ?')
      .get(ownerId, name) as SecretRow | undefined;
    if (!row) return null;
    if (opts.destination !== undefined && row.destination !== null && row.destination !== opts.destination) {
      throw new AppError('SECRET_REQUIRED', `A saved secret (${name}) was saved for ${row.destination}, not for ${opts.destination}.`, {
        hint: 'Enter it again for the new destination.',
        details: { secret: name },
      });
    }
    const kr = this.keyrings.find((k) => k.scheme === row.scheme);
    if (!kr) {
      throw new AppError('STORE', `A saved secret (${name}) was encrypted with "${row.scheme}", which this face of Housekeeper cannot read.`, {
        hint:
          row.scheme === 'safeStorage'
            ? 'It was saved in the desktop window (OS keychain). Re-enter it here, or use the desktop window.'
            : 'Re-enter the secret.',
      });
    }
    try {
      const value = kr.decrypt(row.ciphertext);
      registerSecret(value);
      return value;
    } catch (e) {
      throw new AppError('STORE', `A saved secret (${name}) could not be decrypted.`, {
        hint: 'The key file or OS keychain entry changed. Re-enter the secret.',
        cause: e,
      });
    }
  }

  delete(ownerId: string, name: string): void {
    this.db.prepare('DELETE FROM secret WHERE owner_id = ? AND name = ?').run(ownerId, name);
  }

  deleteOwner(ownerId: string): void {
    this.db.prepare('DELETE FROM secret WHERE owner_id = ?').run(ownerId);
  }
}
