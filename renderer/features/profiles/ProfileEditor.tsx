/** One profile: header actions, and tabs for settings, history, export, drift and what-if. */
import { useState } from 'react';
import { useAction, useRequest } from '../../api/hooks';
import { Badge } from '../../components/Badge';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Segmented } from '../../components/Segmented';
import { Spinner } from '../../components/Spinner';
import { formatDateTime, plural } from '../../lib/format';
import { navigate } from '../../lib/router';
import { DriftPanel } from './DriftPanel';
import { ExportPanel } from './ExportPanel';
import { HistoryPanel } from './HistoryPanel';
import { SettingsEditor } from './SettingsEditor';
import { WhatIfPanel } from './WhatIfPanel';

type Tab = 'settings' | 'history' | 'export' | 'drift' | 'whatif';

export function ProfileEditor({ id, onChanged }: { id: string; onChanged: () => void }) {
  const [nonce, setNonce] = useState(0);
  const view = useRequest('profiles.get', { id }, `${id}:${nonce}`);
  const [tab, setTab] = useState<Tab>('settings');
  const [dialog, setDialog] = useState<'rename' | 'copy' | 'delete' | null>(null);
  const [name, setName] = useState('');
  const rename = useAction('profiles.rename');
  const copy = useAction('profiles.create');
  const del = useAction('profiles.delete');
  const reload = () => {
    setNonce((n) => n + 1);
    onChanged();
  };

  if (view.error) return <ErrorNotice title="Could not open the profile" error={view.error} />;
  if (!view.data) return <Spinner label="Opening profile…" />;
  const v = view.data;

  return (
    <div className="profile" data-testid="profile-editor">
      <div className="profile__head">
        <div>
          <h2 className="profile__name" data-testid="profile-name">
            {v.name}
          </h2>
          <div className="profile__meta">
            Revision {v.rev} · saved {formatDateTime(v.updatedAt)} · {plural(v.settingsCount, 'setting')}{' '}
            {v.errorCount > 0 ? (
              <Badge tone="fail">{v.errorCount} rejected by Prefect</Badge>
            ) : v.warningCount > 0 ? (
              <Badge tone="warn">{plural(v.warningCount, 'warning')}</Badge>
            ) : (
              <Badge tone="ok">valid</Badge>
            )}
          </div>
        </div>
        <div className="page__actions">
          <button type="button" className="btn btn--small" onClick={() => { setName(v.name); setDialog('rename'); }}>Rename</button>
          <button type="button" className="btn btn--small" onClick={() => { setName(`${v.name}-copy`); setDialog('copy'); }}>Copy</button>
          <button type="button" className="btn btn--small btn--quiet-danger" onClick={() => setDialog('delete')}>Delete</button>
        </div>
      </div>
      <Segmented<Tab>
        label="Profile section"
        value={tab}
        onChange={setTab}
        testId="profile-tab"
        options={[
          { value: 'settings', label: 'Settings' },
          { value: 'history', label: 'History' },
          { value: 'export', label: 'Export' },
          { value: 'drift', label: 'Compare with server' },
          { value: 'whatif', label: 'What-if' },
        ]}
      />
      <div className="profile__body">
        {tab === 'settings' && <SettingsEditor view={v} onSaved={reload} />}
        {tab === 'history' && <HistoryPanel view={v} onRestored={reload} />}
        {tab === 'export' && <ExportPanel view={v} />}
        {tab === 'drift' && <DriftPanel view={v} />}
        {tab === 'whatif' && <WhatIfPanel view={v} />}
      </div>

      {(dialog === 'rename' || dialog === 'copy') && (
        <ConfirmDialog
          title={dialog === 'rename' ? `Rename "${v.name}"` : `Copy "${v.name}"`}
          confirmLabel={dialog === 'rename' ? 'Rename' : 'Copy'}
          busy={rename.running || copy.running}
          error={rename.error ?? copy.error}
          onCancel={() => { setDialog(null); rename.clearError(); copy.clearError(); }}
          onConfirm={() => {
            if (dialog === 'rename') void rename.run({ id: v.id, name }).then((r) => r && (setDialog(null), reload()));
            else void copy.run({ name, from: v.id }).then((r) => r && (setDialog(null), onChanged(), navigate('profiles', r.id)));
          }}
        >
          <label className="field">
            <span className="field__label">Name</span>
            <input className="input" value={name} onChange={(e) => setName(e.target.value)} autoFocus data-testid="profile-name-input" />
            <span className="field__help">Letters, digits, dot, dash and underscore, as in a profiles.toml table name.</span>
          </label>
        </ConfirmDialog>
      )}
      {dialog === 'delete' && (
        <ConfirmDialog
          title={`Delete "${v.name}"?`}
          confirmLabel="Delete"
          danger
          busy={del.running}
          error={del.error}
          onCancel={() => setDialog(null)}
          onConfirm={() => void del.run({ id: v.id }).then((r) => r && (setDialog(null), onChanged(), navigate('profiles')))}
        >
          The profile disappears from the list; its revisions stay in the local store and it can be brought back with{' '}
          <code>housekeeper profiles undelete {v.id}</code>. Nothing on any server changes.
        </ConfirmDialog>
      )}
    </div>
  );
}
