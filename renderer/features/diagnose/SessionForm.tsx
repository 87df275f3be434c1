/**
 * What the session needs besides the chosen findings: how many past-due runs to keep, where the
 * settings go (profile, export format, file), and values only the user knows (a Redis host).
 */
import type { Finding, SettingsFormat } from '../../../shared/domain/diagnose';
import { SETTINGS_FORMATS } from '../../../shared/domain/diagnose/session';
import { face } from '../../api/client';

export interface SessionChoices {
  keepNewest: string;
  profile: string;
  format: SettingsFormat;
  path: string;
  inputs: Record<string, string>;
}

const FORMAT_LABEL: Record<SettingsFormat, string> = { env: '.env', toml: 'profiles.toml', compose: 'docker-compose', k8s: 'Kubernetes', helm: 'Helm values', systemd: 'systemd EnvironmentFile' };

export function SessionForm({ picked, choices, onChange, defaultProfile }: { picked: Finding[]; choices: SessionChoices; onChange: (c: SessionChoices) => void; defaultProfile: string }) {
  const purges = picked.some((f) => f.actions.some((a) => a.kind === 'purge'));
  const settings = picked.some((f) => f.actions.some((a) => a.kind === 'settings'));
  const inputs = picked.flatMap((f) => f.actions.flatMap((a) => (a.kind === 'settings' ? a.inputs : []))).filter((x, i, all) => all.findIndex((y) => y.name === x.name) === i);
  if (!purges && !settings) return null;
  return (
    <div className="field-grid dg-form">
      {purges && (
        <label className="field">
          <span className="field__label">Keep the newest past-due runs</span>
          <input className="input input--narrow" inputMode="numeric" value={choices.keepNewest} onChange={(e) => onChange({ ...choices, keepNewest: e.target.value })} aria-label="Keep newest per deployment" />
          <span className="field__help">Per deployment, e.g. 1 to still run the latest once. 0 clears the backlog.</span>
        </label>
      )}
      {settings && (
        <>
          <label className="field">
            <span className="field__label">Profile for the settings</span>
            <input className="input" value={choices.profile} placeholder={defaultProfile} onChange={(e) => onChange({ ...choices, profile: e.target.value })} aria-label="Profile name" />
            <span className="field__help">A new revision of this profile (created if it does not exist). Nothing on the server changes until its owner restarts it with them.</span>
          </label>
          <label className="field">
            <span className="field__label">Export as</span>
            <select className="input" value={choices.format} onChange={(e) => onChange({ ...choices, format: e.target.value as SettingsFormat })} aria-label="Export format">
              {SETTINGS_FORMATS.map((f) => (
                <option key={f} value={f}>
                  {FORMAT_LABEL[f]}
                </option>
              ))}
            </select>
          </label>
          {face() === 'electron' ? (
            <label className="field">
              <span className="field__label">Export file (optional)</span>
              <input className="input mono" value={choices.path} placeholder="Housekeeper’s exports folder" onChange={(e) => onChange({ ...choices, path: e.target.value })} aria-label="Export file" />
              <span className="field__help">A profiles.toml is merged (other profiles kept, a backup written); other formats replace the file, with a backup.</span>
            </label>
          ) : (
            // Local web mode writes no file by a path typed in the page (main/transport/web-policy.ts).
            <div className="field">
              <span className="field__label">Export file</span>
              <span className="field__help" data-testid="export-file-web">Written to Housekeeper’s exports folder (named in the plan); after the session the page offers it as a download. To write it elsewhere, use <span className="mono">housekeeper diagnose fix --file PATH</span>.</span>
            </div>
          )}
          {inputs.map((i) => (
            <label key={i.name} className="field">
              <span className="field__label">{i.label}</span>
              <input className="input mono" value={choices.inputs[i.name] ?? ''} placeholder={i.placeholder} onChange={(e) => onChange({ ...choices, inputs: { ...choices.inputs, [i.name]: e.target.value } })} aria-label={i.label} />
              <span className="field__help mono">{i.name}</span>
            </label>
          ))}
        </>
      )}
    </div>
  );
}
