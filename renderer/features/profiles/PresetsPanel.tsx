/** Presets with their reasons. Applying one only fills the draft; the user reviews and saves. */
import { useState } from 'react';
import { PRESETS, type ProfileView } from '../../../shared/domain/profiles';

export function PresetsPanel({ view, onApply }: { view: ProfileView; onApply: (set: Record<string, string>) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const current = Object.fromEntries(view.values.map((v) => [v.name, v.value]));
  return (
    <details className="card card--quiet presets" data-testid="presets">
      <summary className="card__title">Presets</summary>
      <div className="presets__list">
        {PRESETS.map((p) => (
          <div key={p.id} className="preset">
            <div className="preset__head">
              <button type="button" className="btn btn--link preset__title" onClick={() => setOpen(open === p.id ? null : p.id)} aria-expanded={open === p.id}>
                {p.title}
              </button>
              <button type="button" className="btn btn--small" onClick={() => onApply(Object.fromEntries(p.settings.map((s) => [s.name, s.value])))} data-testid={`preset-${p.id}`}>
                Review changes
              </button>
            </div>
            <p className="preset__summary">{p.summary}</p>
            {open === p.id && (
              <table className="table table--compact">
                <tbody>
                  {p.settings.map((s) => (
                    <tr key={s.name}>
                      <td className="mono">{s.name}</td>
                      <td className="mono">
                        {s.value}
                        {current[s.name] !== undefined && current[s.name] !== s.value && <div className="preset__was">now {current[s.name] ?? 'secret'}</div>}
                      </td>
                      <td>{s.reason}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </div>
        ))}
      </div>
    </details>
  );
}
