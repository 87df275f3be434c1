/**
 * Which server a command talks to: a saved connection (--connection NAME) or an ad hoc one from
 * --api/--api-auth/--api-key/--db. Ad hoc connections are never saved and their secrets never written.
 */
import { AppError } from '../../shared/errors';
import { ConnectionDraftSchema, type ConnectionDraft, type DbDraft } from '../../shared/domain/connection';
import { parseDbArgument } from './db-arg';
import type { ConnectionsService } from '../core/connections/service';
import type { ResolvedConnection } from '../core/connections/types';
import { formatIssues } from '../transport/dispatch';
import type { Flags } from './args';

export function draftFromFlags(flags: Flags, name: string): ConnectionDraft {
  if (!flags.api) {
    throw new AppError('VALIDATION', 'No server given.', {
      hint: 'Use --connection NAME for a saved connection, or --api URL (with --db) for an ad hoc one.',
    });
  }
  const authString = flags['api-auth'] ?? process.env.HOUSEKEEPER_API_AUTH_STRING;
  const apiKey = flags['api-key'] ?? process.env.HOUSEKEEPER_API_KEY;
  if (authString && apiKey) {
    throw new AppError('VALIDATION', 'Give either --api-auth (self-hosted basic auth) or --api-key (Prefect Cloud), not both.');
  }
  let db: DbDraft = { kind: 'none' };
  if (flags.db) {
    const parsed = parseDbArgument(flags.db);
    if (!parsed.ok) throw AppError.fromData(parsed.error);
    db = parsed.value;
    if (db.kind === 'postgres' && flags['allow-cleartext-password']) db = { ...db, allowCleartextPassword: true };
  }
  const result = ConnectionDraftSchema.safeParse({
    name,
    apiUrl: flags.api,
    apiAuth: authString ? { kind: 'basic', authString } : apiKey ? { kind: 'apiKey', apiKey } : { kind: 'none' },
    db,
    readOnly: flags['read-only'] ?? false,
  });
  if (!result.success) throw new AppError('VALIDATION', formatIssues(result.error));
  return result.data;
}

export function resolveTarget(svc: ConnectionsService, flags: Flags): ResolvedConnection {
  if (flags.connection) {
    if (flags.api || flags.db) {
      throw new AppError('VALIDATION', 'Give either --connection NAME or --api/--db, not both.');
    }
    const view = svc.find(flags.connection);
    let resolved = svc.resolve(view.id);
    // --read-only can only make a saved connection safer, never less safe.
    if (flags['read-only']) resolved = { ...resolved, readOnly: true };
    // --allow-cleartext-password: an explicit opt-in for this run (the saved switch is the lasting one).
    if (flags['allow-cleartext-password'] && resolved.db.kind === 'postgres') resolved = { ...resolved, db: { ...resolved.db, allowCleartextPassword: true } };
    return resolved;
  }
  return svc.resolve(undefined, draftFromFlags(flags, 'ad hoc'));
}
