/**
 * What the Prefect server says about its own retention: its version (GET /admin/version) and
 * settings (GET /admin/settings, secrets masked by Prefect), turned into the plan's "Prefect's own
 * vacuum" view. Never fatal: a server that will not say is reported as such.
 */
import { DB_VACUUM_SINCE, prefectVacuumView, type PrefectVacuumView, type VacuumPlanPeriods } from '../../../shared/domain/retention';
import type { ResolvedConnection } from '../connections/types';
import { PrefectApi } from '../targets/prefect-api';
import { versionAtLeast } from '../targets/prefect-version';

export async function prefectVacuumInfo(conn: ResolvedConnection, periods: VacuumPlanPeriods | null, signal?: AbortSignal): Promise<PrefectVacuumView> {
  const api = new PrefectApi(conn, { timeoutMs: 10_000, maxRetries: 1 });
  const opts = signal ? { signal } : {};
  const version = await api.adminVersion(opts).catch(() => null);
  const settings: unknown = await api.adminSettings(opts).catch(() => null);
  // The service's own settings block is the surest sign; the version is the fallback.
  const hasBlock = !!(settings && typeof settings === 'object' && (settings as { server?: { services?: { db_vacuum?: unknown } } }).server?.services?.db_vacuum);
  const available = hasBlock || (version !== null && versionAtLeast(version, DB_VACUUM_SINCE));
  return prefectVacuumView(version, available, settings, periods);
}
