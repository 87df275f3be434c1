/** Schedules requests: thin wiring from the contract to the Schedules feature (main/core/schedules). */
import type { AppContext } from '../context';
import type { Handlers, RequestContext } from '../transport/dispatch';

type SchedulesHandlers = Pick<Handlers, Extract<keyof Handlers, `schedules.${string}`>>;

/** The request's signal, for the services' optional `signal` (cancel and the stated timeout reach the API calls). */
const sig = (rc: RequestContext | undefined) => (rc ? { signal: rc.signal } : {});

export function schedulesHandlers(ctx: AppContext): SchedulesHandlers {
  const svc = ctx.schedules;
  return {
    'schedules.list': async ({ connectionId, deployments, settings }, rc) => svc.list({ conn: ctx.connections.resolve(connectionId), deployments, settings, ...sig(rc) }),
    'schedules.settings': async ({ connectionId, settings }, rc) => svc.settings({ conn: ctx.connections.resolve(connectionId), settings, ...sig(rc) }),
    'schedules.simulate': async ({ connectionId, deployments, settings, overrides, horizonHours }, rc) =>
      svc.simulate({ conn: ctx.connections.resolve(connectionId), deployments, settings, overrides, horizonHours, ...sig(rc) }),
    'schedules.plan': async ({ connectionId, kind, deployments, anchor, changeId, keepNewest }, rc) =>
      svc.plan({ conn: ctx.connections.resolve(connectionId), kind, deployments, anchor, keepNewest, ...(changeId ? { changeId } : {}), ...sig(rc) }),
    'schedules.apply': async ({ planId, confirmCount }) => {
      const { jobId } = await svc.apply({ conn: ctx.connections.resolve(svc.connectionOf(planId)), planId, confirmCount });
      return { jobId };
    },
    'schedules.changes': async ({ connectionId, limit }) => svc.changes(connectionId, limit),
    'schedules.status': async ({ planId }) => svc.status(planId),
  };
}
