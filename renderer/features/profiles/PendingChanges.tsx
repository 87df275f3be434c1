/**
 * The draft as a reviewable diff, with the issues Prefect would raise, and Save as a new revision.
 * Values the profile's Prefect line rejects block the save (as in the CLI) until the user ticks
 * "Save anyway"; the rejected values are named here, because the bar floats over the list.
 */
import { useState } from 'react';
import { lookupSetting } from '../../../shared/domain/settings-catalog';
import type { ProfileIssue, ProfileView } from '../../../shared/domain/profiles';
import { useAction } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DiffList } from './DiffList';
import { draftDiff, isEmpty, newErrors, type Draft } from './draft';

export function PendingChanges({ view, draft, issues, onDiscard, onSaved }: { view: ProfileView; draft: Draft; issues: ProfileIssue[]; onDiscard: () => void; onSaved: () => void }) {
  const save = useAction('profiles.save');
  const [message, setMessage] = useState('');
  const [force, setForce] = useState(false);
  if (isEmpty(draft)) return null;
  const diff = draftDiff(view, draft);
  const added = newErrors(view, issues);
  const errors = issues.filter((i) => i.severity === 'error');
  // Every name Prefect reads for a rejected setting, so a value shows as rejected whatever it is called.
  const rejected = new Set(
    errors.flatMap((i) => {
      const e = lookupSetting(i.name, view.line)?.entry;
      return [i.name.toUpperCase(), ...(e ? [e.env, ...e.aliases] : [])];
    }),
  );
  const blocked = added.length > 0 && !force;
  return (
    <div className="card pending" data-testid="pending-changes">
      <div className="card__title">
        Unsaved changes ({diff.length}) to revision {view.rev}
      </div>
      <DiffList diff={diff} rejected={rejected} />
      {errors.length > 0 && (
        <div className="notice--warn" data-testid="pending-errors">
          Prefect {view.line} would reject {errors.length === 1 ? 'this value' : 'these values'}
          {added.length ? '; saving needs your confirmation, and exports refuse them until fixed:' : ' (saved before); exports refuse them until fixed:'}
          <ul className="pending__errors">
            {errors.map((i) => (
              <li key={`${i.name}:${i.code}`}>{i.message.startsWith(i.name) ? i.message : `${i.name}: ${i.message}`}</li>
            ))}
          </ul>
          {added.length > 0 && (
            <label className="check-line">
              <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} data-testid="save-anyway" /> Save anyway, with{' '}
              {added.length === 1 ? 'the rejected value' : `the ${added.length} rejected values`}
            </label>
          )}
        </div>
      )}
      {save.error && (
        <ErrorNotice title={save.error.code === 'CONFLICT' ? 'Someone saved this profile meanwhile' : 'Not saved'} error={save.error} onDismiss={save.clearError} />
      )}
      <div className="pending__actions">
        <input className="input" placeholder="What and why (optional, kept in the history)" value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Revision message" data-testid="revision-message" />
        <button
          type="button"
          className={`btn ${added.length ? 'btn--danger' : 'btn--primary'}`}
          disabled={save.running || diff.length === 0 || blocked}
          title={blocked ? 'Prefect rejects a value: fix it, or tick "Save anyway"' : undefined}
          data-testid="save-profile"
          onClick={() =>
            void save
              .run({ id: view.id, baseRev: view.rev, set: draft.set, unset: draft.unset, rename: draft.rename, message, force: added.length > 0 && force })
              .then((r) => r && (setMessage(''), setForce(false), onSaved()))
          }
        >
          {save.running ? 'Saving…' : added.length ? `Save anyway as revision ${view.rev + 1}` : `Save as revision ${view.rev + 1}`}
        </button>
        <button type="button" className="btn" onClick={onDiscard} disabled={save.running}>
          Discard
        </button>
      </div>
    </div>
  );
}
