/**
 * Presets with their reasons, for the Prefect line the profile targets (settings that line lacks are
 * left out and said so). Applying one only fills the draft; the user reviews and saves.
 */
import { useState } from 'react';
import { PRESETS, presetForLine, type ProfileView } from '../../../shared/domain/profiles';

export function PresetsPanel({ view, onApply }: { view: ProfileView; onApply: (set: Record<string, string>) => void }) {
  const [open, setOpen] = useState<string | null>(null);
  const current = Object.fromEntries(view.values.map((v) => [v.name, v.value]));
  return (
    <details className="card card--quiet presets" data-testid="presets">
      <summary className="card__title">Presets for Prefect {view.line}</summary>
      <div className="presets__list">
        {PRESETS.map((full) => {
          const p = presetForLine(full, view.line);
          return (
            <div key={full.id} className="preset">
              <div className="preset__head">
                <button type="button" className="btn btn--link preset__title" onClick={() => setOpen(open === full.id ? null : full.id)} aria-expanded={open === full.id}>
                  {full.title}
                </button>
                <button
                  type="button"
                  className="btn btn--small"
                  disabled={p.settings.length === 0}
                  title={p.settings.length === 0 ? `Nothing of this preset exists in Prefect ${view.line}` : undefined}
                  onClick={() => onApply(Object.fromEntries(p.settings.map((s) => [s.name, s.value])))}
                  data-testid={`preset-${full.id}`}
                >
                  Review changes
                </button>
              </div>
              <p className="preset__summary">{full.summary}</p>
              {p.skipped.length > 0 && (
                <p className="preset__was" data-testid={`preset-skipped-${full.id}`}>
                  Not in Prefect {view.line}, left out: {p.skipped.map((s) => s.name).join(', ')}.
                </p>
              )}
              {open === full.id && (
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
          );
        })}
      </div>
    </details>
  );
}
