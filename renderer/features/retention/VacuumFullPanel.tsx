/**
 * VACUUM FULL of one table, offered only with its lock spelled out: ACCESS EXCLUSIVE for the whole
 * rewrite, so Prefect waits on that table. The table's name typed back arms the button; Enter in the
 * field confirms, Escape closes the panel.
 */
import { useState, type FormEvent } from 'react';
import type { RetentionTable } from '../../../shared/domain/retention/maintenance';
import { useEscape } from '../../lib/keys';
import { vacuumFullArmed } from './maintenance-logic';

export function VacuumFullPanel({ table, locks, busy, onConfirm, onClose }: { table: RetentionTable; locks: string; busy: boolean; onConfirm: (typed: string) => void; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const armed = vacuumFullArmed(typed, table) && !busy;
  useEscape(onClose, !busy);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (armed) onConfirm(typed);
  };
  return (
    <form className="ret-vfull" data-testid="retention-vacuum-full" onSubmit={submit}>
      <div className="ret-vfull__title">
        VACUUM FULL <span className="mono">{table}</span>: an exclusive lock for the whole rewrite
      </div>
      <p className="ret-vfull__locks">{locks}</p>
      <label className="field">
        <span className="field__label">
          Type <span className="mono">{table}</span> to confirm
        </span>
        <input className="input ret-vfull__input" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" spellCheck={false} data-testid="retention-vacuum-full-input" />
      </label>
      <div className="form__actions">
        <button type="submit" className="btn btn--danger" disabled={!armed} data-testid="retention-vacuum-full-go">
          Lock and rewrite {table}
        </button>
        <button type="button" className="btn btn--quiet" onClick={onClose}>Cancel (Esc)</button>
      </div>
    </form>
  );
}
