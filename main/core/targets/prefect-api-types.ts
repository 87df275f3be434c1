/**
 * The few Prefect API shapes the targets rely on, checked at runtime (a wrong URL or a different
 * server must fail here with a clear error, not deep inside a feature). Loose objects: the server
 * returns many more fields, and later Prefect versions add some; we keep them but type only ours.
 * Field names from Prefect 3.9.1's server schemas (server/schemas/responses.py DeploymentResponse,
 * server/schemas/core.py Flow).
 */
import { z } from 'zod';

export const DeploymentSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  flow_id: z.string(),
  created: z.string().nullable().optional(),
  updated: z.string().nullable().optional(),
  paused: z.boolean().optional(),
});
export type Deployment = z.infer<typeof DeploymentSchema>;

export const FlowSchema = z.looseObject({
  id: z.string(),
  name: z.string(),
  created: z.string().nullable().optional(),
});
export type Flow = z.infer<typeof FlowSchema>;

/** Body of POST /flow_runs/count (all optional; unknown keys are a 422 on the server). */
export interface FlowRunCountBody {
  flows?: Record<string, unknown>;
  flow_runs?: Record<string, unknown>;
  task_runs?: Record<string, unknown>;
  deployments?: Record<string, unknown>;
  work_pools?: Record<string, unknown>;
  work_pool_queues?: Record<string, unknown>;
}

/** Body of POST /deployments/filter and /flows/filter. */
export interface FilterBody extends FlowRunCountBody {
  sort?: string;
  limit?: number;
  offset?: number;
}

export const CsrfTokenSchema = z.looseObject({
  token: z.string(),
  client: z.string(),
  expiration: z.string(),
});

/** GET /admin/settings: nested settings; we read only the page limit and CSRF flag. */
export const AdminSettingsSchema = z.looseObject({
  server: z
    .looseObject({
      api: z
        .looseObject({
          default_limit: z.number().int().positive().optional(),
          csrf_protection_enabled: z.boolean().optional(),
          base_path: z.string().nullable().optional(),
        })
        .optional(),
    })
    .optional(),
});
export type AdminSettings = z.infer<typeof AdminSettingsSchema>;
