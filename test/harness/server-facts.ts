/**
 * What the harness must know about the Prefect release it seeds, so the seed looks like what *that*
 * release writes (the harness supports every 3.x line, see prefect-releases.ts).
 *
 * Learned independently of Housekeeper's own capability probe (main/core/targets/capabilities.ts),
 * so a wrong probe there cannot hide itself by also shaping the seed the tests compare against:
 * - schedule fields from the server's own /openapi.json (DeploymentScheduleCreate; `slug` and
 *   `parameters` came in 3.2, 3.0 had `catchup` and `max_active_runs` instead);
 * - basic auth from /admin/settings (`server.api.auth_string` exists from 3.1);
 * - what the scheduler writes from the release number (not observable before a scheduler runs):
 *   from 3.2.0 every auto-scheduled run carries `created_by = {id: <schedule id>, type: SCHEDULE}` and
 *   an idempotency key `scheduled <deployment> <schedule> <time>`; before, `created_by` stays NULL,
 *   the key is `scheduled <deployment> <time>` and runs take the deployment's parameters
 *   (prefect/server/models/deployments.py `_generate_scheduled_flow_runs` in 3.1.15 vs 3.2.15);
 * - from 3.3.4 pausing a deployment or changing a schedule deletes only its *future* auto-scheduled
 *   runs; before, every never-started one, the Late backlog included (`_delete_scheduled_runs`);
 * - from 3.6.19 the scheduler tops up each schedule on its own; before, a whole deployment when its
 *   runs as a whole ran low (services/scheduler.py `_get_select_deployments_to_schedule_query`);
 * - from 3.1.13 to 3.6.6 the main scheduler loop runs every 60 s whatever loop_seconds says (the
 *   service class declared `loop_seconds: float` without a value, so LoopService's 60 won).
 */
import type { HarnessApi } from './prefect-api';
import { compareRelease } from './prefect-releases';

export interface ServerFacts {
  version: string;
  /** Fields DeploymentScheduleCreate accepts (slug, parameters, max_scheduled_runs, ...). */
  scheduleFields: Set<string>;
  /** PREFECT_SERVER_API_AUTH_STRING is honoured. */
  basicAuth: boolean;
  /** The scheduler records which schedule made a run (created_by, schedule id in the key). */
  runsAttributed: boolean;
  /** Pausing or a schedule change keeps the past-due (Late) runs. */
  updatesKeepPastDue: boolean;
  /** The scheduler selects per schedule (else per deployment). */
  perScheduleSelection: boolean;
  /** The main scheduler loop honours loop_seconds (3.1.13 to 3.6.6 run it every 60 s whatever it says). */
  schedulerLoopHonoured: boolean;
}

type Json = Record<string, unknown>;

function deref(doc: Json, s: unknown): Json {
  let cur = (s ?? {}) as Json;
  for (let i = 0; i < 20 && typeof cur.$ref === 'string'; i++) {
    const name = cur.$ref.split('/').pop()!;
    cur = ((doc.components as Json | undefined)?.schemas as Json | undefined)?.[name] as Json;
  }
  for (const k of ['anyOf', 'allOf', 'oneOf']) {
    const alts = cur[k];
    if (Array.isArray(alts)) {
      const hit = alts.map((a) => deref(doc, a)).find((a) => a.type !== 'null');
      if (hit) return hit;
    }
  }
  return cur;
}

/** Properties of the items of POST /deployments/ `schedules`, from the server's OpenAPI document. */
export function scheduleFieldsOf(doc: Json): Set<string> {
  const paths = doc.paths as Json;
  const op = (paths['/deployments/'] as Json | undefined)?.post as Json | undefined;
  const body = deref(doc, ((((op?.requestBody as Json)?.content as Json)?.['application/json'] as Json)?.schema));
  const schedules = deref(doc, (body.properties as Json | undefined)?.schedules);
  const item = deref(doc, schedules.items);
  return new Set(Object.keys((item.properties as Json | undefined) ?? {}));
}

export async function serverFacts(api: HarnessApi, version: string): Promise<ServerFacts> {
  const [doc, settings] = await Promise.all([api.get<Json>('/openapi.json'), api.get<Json>('/admin/settings')]);
  const apiSettings = ((settings.server as Json | undefined)?.api as Json | undefined) ?? {};
  return {
    version,
    scheduleFields: scheduleFieldsOf(doc),
    basicAuth: 'auth_string' in apiSettings,
    runsAttributed: compareRelease(version, '3.2.2') >= 0,
    updatesKeepPastDue: compareRelease(version, '3.3.4') >= 0,
    perScheduleSelection: compareRelease(version, '3.6.19') >= 0,
    schedulerLoopHonoured: compareRelease(version, '3.1.13') < 0 || compareRelease(version, '3.6.7') >= 0,
  };
}
