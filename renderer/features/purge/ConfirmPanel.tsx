/**
 * Step 3: the count typed back. The button names the number; nothing else starts a delete. Enter in
 * the count field confirms once the count matches; Escape goes back to the filter.
 */
import { useState, type FormEvent } from 'react';
import type { PurgePlan } from '../../../shared/domain/purge';
import { plural } from '../../lib/format';
import { face } from '../../api/client';
import { toClientError } from '../../api/errors';
import { chooseExportFile } from '../../api/exports';
import { ExportChoice, type ExportRequest } from '../../components/ExportChoice';
import { useEscape } from '../../lib/keys';

export function ConfirmPanel({ plan, onConfirm, busy, onBack }: {
  plan: PurgePlan;
  onConfirm: (opts: ExportRequest) => void;
  busy: boolean;
  onBack: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [exportReq, setExportReq] = useState<{ req: ExportRequest; ready: boolean }>({ req: {}, ready: true });
  const matches = typed.trim() === String(plan.count);
  const ready = matches && !busy && exportReq.ready;
  const confirm = () => onConfirm(exportReq.req);
  useEscape(onBack, !busy);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (ready) confirm();
  };
  if (plan.readOnly) {
    return (
      <section className="card purge-confirm">
        <div className="notice notice--warn">This connection is read-only. The preview above is all it allows; nothing can be deleted from here.</div>
        <button type="button" className="btn" onClick={onBack}>Change the filter</button>
      </section>
    );
  }
  return (
    <form className="card purge-confirm" data-testid="purge-confirm" onSubmit={submit}>
      <div className="card__title">Delete these runs</div>
      <p>
        Runs are deleted in short batches. Each batch checks again that every run is still Scheduled or Late and never started, so a
        run a worker picks up meanwhile is left alone. Runs created after this preview are never touched.
      </p>
      <ExportChoice
        prefix="purge"
        noun="purge"
        desktop={face() === 'electron'}
        onChoose={() => chooseExportFile('purge', plan.planId)}
        onChange={(req, ready) => setExportReq({ req, ready })}
        toError={toClientError}
      />
      <label className="field">
        <span className="field__label">Type {plan.count} to confirm</span>
        <input className="input input--narrow" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" data-testid="purge-confirm-input" />
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--danger" disabled={!ready} data-testid="purge-execute">
          Delete {plural(plan.count, 'run')}
        </button>
        <button type="button" className="btn btn--quiet" onClick={onBack}>Change the filter (Esc)</button>
      </div>
    </form>
  );
}
