/**
 * Step 3: the count typed back. The button names the number; nothing else starts a delete. Enter in
 * the count field confirms once the count matches; Escape goes back to the filter.
 */
import { useState, type FormEvent } from 'react';
import type { PurgePlan } from '../../../shared/domain/purge';
import { formatCount } from '../../lib/format';
import { useEscape } from '../../lib/keys';

export function ConfirmPanel({ plan, onConfirm, busy, onBack }: {
  plan: PurgePlan;
  onConfirm: (opts: { exportFile?: string }) => void;
  busy: boolean;
  onBack: () => void;
}) {
  const [typed, setTyped] = useState('');
  const [exportOn, setExportOn] = useState(false);
  const [exportFile, setExportFile] = useState('');
  const matches = typed.trim() === String(plan.count);
  const ready = matches && !busy && !(exportOn && !exportFile.trim());
  const confirm = () => onConfirm(exportOn && exportFile.trim() ? { exportFile: exportFile.trim() } : {});
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
      <label className="check-line">
        <input type="checkbox" checked={exportOn} onChange={(e) => setExportOn(e.target.checked)} />
        First export the deleted runs and their states to a JSON-lines file
      </label>
      {exportOn && (
        <input className="input" placeholder="/path/to/purge-export.jsonl (on the machine running Housekeeper)" value={exportFile} onChange={(e) => setExportFile(e.target.value)} />
      )}
      <label className="field">
        <span className="field__label">Type {plan.count} to confirm</span>
        <input className="input input--narrow" value={typed} onChange={(e) => setTyped(e.target.value)} inputMode="numeric" autoComplete="off" data-testid="purge-confirm-input" />
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--danger" disabled={!ready} data-testid="purge-execute">
          Delete {formatCount(plan.count)} run{plan.count === 1 ? '' : 's'}
        </button>
        <button type="button" className="btn btn--quiet" onClick={onBack}>Change the filter (Esc)</button>
      </div>
    </form>
  );
}
