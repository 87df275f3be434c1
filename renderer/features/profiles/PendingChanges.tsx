/** The draft as a reviewable diff, with the issues Prefect would raise, and Save as a new revision. */
import { useState } from 'react';
import { hasErrors, type ProfileIssue, type ProfileView } from '../../../shared/domain/profiles';
import { useAction } from '../../api/hooks';
import { ErrorNotice } from '../../components/ErrorNotice';
import { DiffList } from './DiffList';
import { draftDiff, isEmpty, type Draft } from './draft';

export function PendingChanges({ view, draft, issues, onDiscard, onSaved }: { view: ProfileView; draft: Draft; issues: ProfileIssue[]; onDiscard: () => void; onSaved: () => void }) {
  const save = useAction('profiles.save');
  const [message, setMessage] = useState('');
  if (isEmpty(draft)) return null;
  const diff = draftDiff(view, draft);
  const errors = hasErrors(issues);
  return (
    <div className="card pending" data-testid="pending-changes">
      <div className="card__title">
        Unsaved changes ({diff.length}) to revision {view.rev}
      </div>
      <DiffList diff={diff} />
      {errors && (
        <div className="notice--warn" data-testid="pending-errors">
          Prefect would reject {issues.filter((i) => i.severity === 'error').length === 1 ? 'this value' : 'these values'}; you can still save, but exports refuse until fixed:
          <ul className="pending__errors">
            {issues
              .filter((i) => i.severity === 'error')
              .map((i) => (
                <li key={`${i.name}:${i.code}`}>{i.message.startsWith(i.name) ? i.message : `${i.name}: ${i.message}`}</li>
              ))}
          </ul>
        </div>
      )}
      {save.error && (
        <ErrorNotice title={save.error.code === 'CONFLICT' ? 'Someone saved this profile meanwhile' : 'Not saved'} error={save.error} onDismiss={save.clearError} />
      )}
      <div className="pending__actions">
        <input className="input" placeholder="What and why (optional, kept in the history)" value={message} onChange={(e) => setMessage(e.target.value)} aria-label="Revision message" data-testid="revision-message" />
        <button
          type="button"
          className="btn btn--primary"
          disabled={save.running || diff.length === 0}
          data-testid="save-profile"
          onClick={() =>
            void save
              .run({ id: view.id, baseRev: view.rev, set: draft.set, unset: draft.unset, rename: draft.rename, message })
              .then((r) => r && (setMessage(''), onSaved()))
          }
        >
          {save.running ? 'Saving…' : `Save as revision ${view.rev + 1}`}
        </button>
        <button type="button" className="btn" onClick={onDiscard} disabled={save.running}>
          Discard
        </button>
      </div>
    </div>
  );
}
