/**
 * Step 3: the run count typed back. The button names the number; nothing else starts a delete.
 * Enter in the field confirms once it matches; Escape goes back to the form (as on Purge). The export
 * of the deleted runs is offered as on Purge (a kept file downloaded afterwards in web mode, a file
 * chosen in the save dialog in the window); a plan of old events only has no runs to export.
 */
import { useState, type FormEvent } from 'react';
import type { RetentionPlan } from '../../../shared/domain/retention';
import { face } from '../../api/client';
import { toClientError } from '../../api/errors';
import { chooseExportFile } from '../../api/exports';
import { ExportChoice, type ExportRequest } from '../../components/ExportChoice';
import { formatCount, plural } from '../../lib/format';
import { useEscape } from '../../lib/keys';
import { confirmMatches } from './plan-logic';

export function RetentionConfirm({ plan, onConfirm, busy, onBack }: { plan: RetentionPlan; onConfirm: (opts: ExportRequest) => void; busy: boolean; onBack: () => void }) {
  const [typed, setTyped] = useState('');
  const [exportReq, setExportReq] = useState<{ req: ExportRequest; ready: boolean }>({ req: {}, ready: true });
  const ready = confirmMatches(typed, plan.confirmCount) && !busy && exportReq.ready;
  useEscape(onBack, !busy);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) onConfirm(exportReq.req);
  };
  if (plan.readOnly) {
    return (
      <section className="card purge-confirm" data-testid="retention-readonly">
        <div className="notice notice--warn">This connection is read-only. The plan above is all it allows; nothing can be deleted from here.</div>
        <button type="button" className="btn" onClick={onBack}>Change the form</button>
      </section>
    );
  }
  const what = plan.confirmCount > 0 ? plural(plan.confirmCount, 'finished run') : 'the old events';
  return (
    <form className="card purge-confirm ret-confirm" data-testid="retention-confirm" onSubmit={submit}>
      <div className="card__title">Delete {what}</div>
      <p>
        The job deletes in short transactions (about 200 ms each). Each batch checks again that every run is still finished and older than
        the cutoff, so a run retried meanwhile is left alone, and a run another session holds is skipped and retried at the end. Pause,
        cancel or resume it from the jobs tray on any screen; a stopped run continues from its journal with exact totals. Deleted rows
        cannot be brought back.
      </p>
      {plan.confirmCount > 0 && (
        <ExportChoice
          prefix="retention"
          noun="retention"
          desktop={face() === 'electron'}
          onChoose={() => chooseExportFile('retention', plan.planId)}
          onChange={(req, ok) => setExportReq({ req, ready: ok })}
          toError={toClientError}
        />
      )}
      <label className="field">
        <span className="field__label">Type {plan.confirmCount} to confirm{plan.impact.flowRuns.exact ? '' : ' (the estimate shown above)'}</span>
        <input className="input input--narrow" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" data-testid="retention-confirm-input" />
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--danger" disabled={!ready} data-testid="retention-execute">
          Delete {plan.confirmCount > 0 ? `${formatCount(plan.confirmCount)} runs and what belongs to them` : 'the old events'}
        </button>
        <button type="button" className="btn btn--quiet" onClick={onBack}>Change the form (Esc)</button>
      </div>
    </form>
  );
}
