/** Diagnose requests: thin wiring from the contract to main/core/diagnose. */
import { diagnosisMarkdown, sessionMarkdown } from '../../shared/domain/diagnose';
import { AppError } from '../../shared/errors';
import { DiagnoseService } from '../core/diagnose/service';
import type { AppContext } from '../context';
import type { Handlers } from '../transport/dispatch';
import { profilesOf } from './profiles';

type DiagnoseHandlers = Pick<Handlers, Extract<keyof Handlers, `diagnose.${string}`>>;

/** One service per context (the CLI and the handlers share this factory). */
export function diagnoseOf(ctx: AppContext): DiagnoseService {
  const { profiles, transfer } = profilesOf(ctx);
  return new DiagnoseService({ store: ctx.store, jobs: ctx.jobs, purge: ctx.purge, retention: ctx.retention, schedules: ctx.schedules, inspect: ctx.inspect, profiles, transfer, home: ctx.home });
}

export function reportOf(svc: DiagnoseService, req: { sessionId?: string; diagnosisId?: string; format: 'md' | 'json' }): { content: string; mime: string; filename: string } {
  const doc = req.sessionId ? svc.session(req.sessionId) : req.diagnosisId ? svc.get(req.diagnosisId) : null;
  if (!doc) throw new AppError('VALIDATION', 'Give a session id or a diagnosis id.');
  const isSession = 'plan' in doc;
  const at = (isSession ? doc.plan.createdAt : doc.createdAt).slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  const name = `housekeeper-${isSession ? 'session' : 'diagnosis'}-${at}`;
  if (req.format === 'json') return { content: `${JSON.stringify(doc, null, 2)}\n`, mime: 'application/json', filename: `${name}.json` };
  return { content: isSession ? sessionMarkdown(doc) : diagnosisMarkdown(doc), mime: 'text/markdown', filename: `${name}.md` };
}

export function diagnoseHandlers(ctx: AppContext): DiagnoseHandlers {
  const svc = diagnoseOf(ctx);
  const known = (connectionId: string) => ctx.connections.get(connectionId).id;
  return {
    'diagnose.run': async ({ connectionId, serverProcesses }) => svc.diagnose({ conn: ctx.connections.resolve(connectionId), ...(serverProcesses !== undefined ? { serverProcesses } : {}) }),
    'diagnose.latest': async ({ connectionId }) => svc.latest(known(connectionId)),
    'diagnose.get': async ({ id }) => svc.get(id),
    'diagnose.list': async ({ connectionId, limit }) => svc.repo.diagnoses(known(connectionId), limit),
    'diagnose.plan': async ({ connectionId, diagnosisId, findings, keepNewest, settings, inputs }) =>
      svc.plan({ conn: ctx.connections.resolve(connectionId), diagnosisId, findings, keepNewest, inputs, ...(settings ? { settings } : {}) }),
    'diagnose.apply': async ({ sessionId, confirmCount }) => {
      const { jobId } = svc.apply({ conn: ctx.connections.resolve(svc.connectionOf(sessionId)), sessionId, confirmCount });
      return { jobId };
    },
    'diagnose.session': async ({ sessionId }) => svc.session(sessionId),
    'diagnose.sessions': async ({ connectionId, limit }) => svc.repo.sessions(known(connectionId), limit),
    'diagnose.report': async (req) => reportOf(svc, req),
  };
}
