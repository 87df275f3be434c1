/** Profile requests: thin wiring from the contract to the profiles store, transfer and drift. */
import { driftAgainst } from '../core/profiles/drift-live';
import { ProfilesService } from '../core/profiles/service';
import { ProfileTransfer } from '../core/profiles/transfer';
import type { AppContext } from '../context';
import { ProfilesRepo } from '../store/repos/profiles';
import type { Handlers } from '../transport/dispatch';

type ProfileHandlers = Pick<Handlers, Extract<keyof Handlers, `profiles.${string}`>>;

/** One service per context, over the store's database (no change to the shared Store interface needed). */
export function profilesOf(ctx: AppContext): { profiles: ProfilesService; transfer: ProfileTransfer } {
  const profiles = new ProfilesService(new ProfilesRepo(ctx.store.handle.db), ctx.store.secrets);
  return { profiles, transfer: new ProfileTransfer(profiles) };
}

export function profileHandlers(ctx: AppContext): ProfileHandlers {
  const { profiles, transfer } = profilesOf(ctx);
  return {
    'profiles.list': async ({ includeDeleted }) => profiles.list(includeDeleted),
    'profiles.get': async ({ id, rev }) => profiles.get(id, rev),
    'profiles.create': async ({ name, from, values, line, force }) => (from ? profiles.copy(from, name) : profiles.create(name, values ?? {}, { line, force })),
    'profiles.setLine': async ({ id, line }) => profiles.setLine(id, line),
    'profiles.rename': async ({ id, name }) => profiles.rename(id, name),
    'profiles.delete': async ({ id }) => profiles.delete(id),
    'profiles.undelete': async ({ id }) => profiles.undelete(id),
    'profiles.save': async ({ id, baseRev, set, unset, rename, message, source, force }) => profiles.save(id, baseRev, { set, unset, rename }, { message, source, force }),
    'profiles.history': async ({ id }) => profiles.history(id),
    'profiles.diff': async ({ a, b }) => profiles.diff(a, b),
    'profiles.restore': async ({ id, rev }) => profiles.restore(id, rev),
    'profiles.importPreview': async (src) => transfer.previewImport(src),
    'profiles.import': async ({ source, select, rename, onExisting, force }) => transfer.import(source, { select, rename, onExisting, force }),
    'profiles.exportPreview': async (req) => transfer.previewExport(req),
    'profiles.exportWrite': async (req) => transfer.writeExport(req),
    'profiles.drift': async ({ id, rev, connectionId }) => driftAgainst(profiles, id, rev, ctx.connections.resolve(connectionId)),
  };
}
