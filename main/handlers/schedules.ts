/** Schedules requests: thin wiring from the contract to the Schedules feature (main/core/schedules). */
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';

type SchedulesHandlers = Pick<Handlers, Extract<keyof Handlers, `schedules.${string}`>>;

export function schedulesHandlers(ctx: AppContext): SchedulesHandlers {
  const svc = ctx.schedules;
  return {
    'schedules.list': async ({ connectionId, deployments, settings }) => svc.list({ conn: ctx.connections.resolve(connectionId), deployments, settings }),
    'schedules.simulate': async ({ connectionId, deployments, settings, overrides, horizonHours }) =>
      svc.simulate({ conn: ctx.connections.resolve(connectionId), deployments, settings, overrides, horizonHours }),
    'schedules.plan': async ({ connectionId, kind, deployments, anchor, changeId, keepNewest }) =>
      svc.plan({ conn: ctx.connections.resolve(connectionId), kind, deployments, anchor, keepNewest, ...(changeId ? { changeId } : {}) }),
    'schedules.apply': async ({ planId, confirmCount }) => {
      const { jobId } = await svc.apply({ conn: ctx.connections.resolve(svc.connectionOf(planId)), planId, confirmCount });
      return { jobId };
    },
    'schedules.changes': async ({ connectionId, limit }) => svc.changes(connectionId, limit),
    'schedules.status': async ({ planId }) => svc.status(planId),
  };
}
