/** One setting in the editor: name and env var, value input, default, accepted formats, issues. */
import { useState } from 'react';
import type { ProfileIssue } from '../../../shared/domain/profiles';
import { defaultAsText, describeAccepts, type SettingEntry } from '../../../shared/domain/settings-catalog';
import { Badge } from '../../components/Badge';

export interface RowState {
  /** The name as written in the profile (may be a legacy alias), or undefined when unset. */
  name: string | undefined;
  value: string | undefined;
  storedSecret: boolean;
  changed: boolean;
}

export function SettingRow({
  entry,
  state,
  issues,
  onSet,
  onUnset,
  onRevert,
  onRename,
}: {
  entry: SettingEntry;
  state: RowState;
  issues: ProfileIssue[];
  onSet: (name: string, value: string) => void;
  onUnset: (name: string) => void;
  onRevert: (name: string) => void;
  onRename: (from: string, to: string) => void;
}) {
  const [open, setOpen] = useState(false);
  const dflt = defaultAsText(entry);
  const name = state.name ?? entry.env;
  const isSet = state.name !== undefined;
  const errors = issues.filter((i) => i.severity === 'error');
  const inputId = `setting-${entry.env}`;
  return (
    <div className={`srow${isSet ? ' srow--set' : ''}${errors.length ? ' srow--error' : ''}${state.changed ? ' srow--changed' : ''}`} data-testid={`srow-${entry.env}`}>
      <div className="srow__main">
        <div className="srow__label">
          <label htmlFor={inputId} className="srow__env mono">
            {name}
          </label>
          {entry.secret && <Badge tone="neutral">secret</Badge>}
          {entry.scope === 'client' && <Badge tone="skip" title="Read by clients and workers, not the server">client</Badge>}
          {entry.origin !== 'schema' && <Badge tone="skip">{entry.origin}</Badge>}
          <button type="button" className="btn btn--link srow__more" onClick={() => setOpen(!open)} aria-expanded={open}>
            {open ? 'less' : 'about'}
          </button>
        </div>
        <div className="srow__control">
          <input
            id={inputId}
            className="input mono"
            type={entry.secret ? 'password' : 'text'}
            autoComplete="off"
            value={state.storedSecret ? '' : (state.value ?? '')}
            placeholder={state.storedSecret ? '•••••• stored encrypted; type to replace' : dflt === undefined ? '(computed by Prefect)' : dflt === null ? '(unset)' : `default ${dflt}`}
            onChange={(e) => onSet(name, e.target.value)}
            data-testid={`input-${entry.env}`}
          />
          {isSet && (
            <button type="button" className="btn btn--small btn--quiet" onClick={() => onUnset(name)} title="Remove from the profile: Prefect uses its default" data-testid={`unset-${entry.env}`}>
              Unset
            </button>
          )}
          {state.changed && (
            <button type="button" className="btn btn--small btn--quiet" onClick={() => onRevert(name)}>
              Undo
            </button>
          )}
        </div>
      </div>
      {issues.map((i, k) => (
        <div key={k} className={`srow__issue srow__issue--${i.severity}`} data-testid={`issue-${entry.env}`}>
          {i.message}
          {i.renameTo && (
            <button type="button" className="btn btn--link" onClick={() => onRename(i.name, i.renameTo!)} data-testid={`rename-${entry.env}`}>
              Rename to {i.renameTo}
            </button>
          )}
        </div>
      ))}
      {open && (
        <div className="srow__about">
          {entry.note && <p className="srow__note">{entry.note}</p>}
          <p>{entry.description}</p>
          <dl className="kv">
            <dt>Accepts</dt>
            <dd>{describeAccepts(entry)}</dd>
            <dt>Default</dt>
            <dd className="mono">{dflt === undefined ? 'computed by Prefect' : dflt === null ? 'none' : dflt}</dd>
            <dt>Settings path</dt>
            <dd className="mono">{entry.key}</dd>
            {entry.aliases.length > 0 && (
              <>
                <dt>Legacy names</dt>
                <dd className="mono">{entry.aliases.join(', ')}</dd>
              </>
            )}
          </dl>
        </div>
      )}
    </div>
  );
}
