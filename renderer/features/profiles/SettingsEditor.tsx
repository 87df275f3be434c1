/**
 * The catalog as an editor: every Prefect setting, grouped and searchable, with the profile's
 * values and the draft's changes. Issues update as the user types; nothing is saved until the
 * pending changes are reviewed and saved as a new revision.
 */
import { useMemo, useState } from 'react';
import { effectiveValue, type ProfileView } from '../../../shared/domain/profiles';
import { catalogFor, SETTING_GROUPS, type SettingGroupId } from '../../../shared/domain/settings-catalog';
import { draftIssues, draftValues, EMPTY_DRAFT, isStoredSecret, withRename, withReverted, withSet, withUnset, type Draft } from './draft';
import { PendingChanges } from './PendingChanges';
import { PresetsPanel } from './PresetsPanel';
import { SettingRow } from './SettingRow';

type GroupFilter = 'set' | 'all' | SettingGroupId;

export function SettingsEditor({ view, onSaved }: { view: ProfileView; onSaved: () => void }) {
  const [draft, setDraft] = useState<Draft>(EMPTY_DRAFT);
  const [query, setQuery] = useState('');
  const [group, setGroup] = useState<GroupFilter>(view.values.length ? 'set' : 'scheduler');
  // The catalog of the Prefect line the profile targets: its names, defaults and formats.
  const catalog = catalogFor(view.line);
  const values = useMemo(() => draftValues(view, draft), [view, draft]);
  const issues = useMemo(() => draftIssues(view, draft), [view, draft]);
  const touched = useMemo(() => new Set([...Object.keys(draft.set), ...draft.unset, ...Object.keys(draft.rename), ...Object.values(draft.rename)].map((n) => n.toUpperCase())), [draft]);

  const q = query.trim().toUpperCase();
  const rows = catalog.settings.filter((e) => {
    if (q) return e.env.includes(q) || e.aliases.some((a) => a.includes(q)) || e.key.toUpperCase().includes(q) || e.description.toUpperCase().includes(q);
    if (group === 'all') return true;
    if (group === 'set') return effectiveValue(values, e) !== undefined || touched.has(e.env);
    return e.group === group;
  });
  const unknown = Object.keys(values).filter((n) => !catalog.lookup(n));
  const issuesFor = (env: string) => issues.filter((i) => (catalog.lookup(i.name)?.entry.env ?? i.name) === env);
  const groupInfo = SETTING_GROUPS.find((g) => g.id === group);

  return (
    <div className="seditor">
      <PresetsPanel view={view} onApply={(set) => setDraft((d) => Object.entries(set).reduce((acc, [k, v]) => withSet(acc, k, v), d))} />
      <div className="seditor__filters">
        <input className="input" type="search" placeholder={`Search ${catalog.settings.length} settings of Prefect ${view.line}: name, path or words (e.g. pool, late, retention)`} value={query} onChange={(e) => setQuery(e.target.value)} aria-label="Search settings" data-testid="settings-search" />
        <select className="input input--narrow" value={group} onChange={(e) => setGroup(e.target.value as GroupFilter)} aria-label="Group" data-testid="settings-group">
          <option value="set">Set in this profile</option>
          <option value="all">All settings</option>
          {SETTING_GROUPS.map((g) => (
            <option key={g.id} value={g.id}>
              {g.title}
            </option>
          ))}
        </select>
      </div>
      {!q && groupInfo && <p className="seditor__explain">{groupInfo.explain}</p>}
      {unknown.length > 0 && (group === 'set' || group === 'all') && !q && (
        <div className="card card--quiet">
          <div className="card__title">Not settings of Prefect {view.line}</div>
          {unknown.map((n) => {
            const issue = issues.find((i) => i.name === n && i.code === 'unknown');
            return (
              <div key={n} className="srow srow--error" data-testid={`unknown-${n}`}>
                <div className="srow__main">
                  <span className="srow__env mono">{n}</span>
                  <span className="mono srow__value">{values[n]}</span>
                  <button type="button" className="btn btn--small btn--quiet" onClick={() => setDraft((d) => withUnset(d, n))}>
                    Remove
                  </button>
                </div>
                <div className="srow__issue srow__issue--warning">
                  {issue?.message}
                  {issue?.didYouMean?.map((s) => (
                    <button key={s} type="button" className="btn btn--link" onClick={() => setDraft((d) => withRename(d, n, s))} data-testid={`didyoumean-${s}`}>
                      Rename to {s}
                    </button>
                  ))}
                </div>
              </div>
            );
          })}
        </div>
      )}
      <div className="seditor__rows" data-testid="settings-rows">
        {rows.length === 0 && <p className="table-note">{group === 'set' && !q ? 'This profile sets nothing yet: pick a group or search to add settings.' : 'No setting matches.'}</p>}
        {rows.map((e) => {
          const eff = effectiveValue(values, e);
          return (
            <SettingRow
              key={e.env}
              entry={e}
              state={{ name: eff?.name, value: eff?.value, storedSecret: isStoredSecret(eff?.value), changed: touched.has(e.env) || (eff !== undefined && touched.has(eff.name.toUpperCase())) }}
              issues={issuesFor(e.env)}
              onSet={(n, v) => setDraft((d) => withSet(d, n, v))}
              onUnset={(n) => setDraft((d) => withUnset(d, n))}
              onRevert={(n) => setDraft((d) => withReverted(d, n))}
              onRename={(from, to) => setDraft((d) => withRename(d, from, to))}
            />
          );
        })}
      </div>
      {/* Sticky at the bottom, after the rows: appearing while typing must not move the input. */}
      <PendingChanges view={view} draft={draft} issues={issues} onDiscard={() => setDraft(EMPTY_DRAFT)} onSaved={() => { setDraft(EMPTY_DRAFT); onSaved(); }} />
    </div>
  );
}
