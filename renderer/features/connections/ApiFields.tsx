import { useId, useState } from 'react';
import { parseApiUrl } from '../../../shared/domain/api-url';
import type { ConnectionView } from '../../../shared/domain/connection';
import { Badge } from '../../components/Badge';
import { Field } from '../../components/Field';
import { Segmented } from '../../components/Segmented';
import { apiMoved, storedAuthSecret, type AuthKind, type FieldErrors, type FormState } from './form-state';

const AUTH_OPTIONS: ReadonlyArray<{ value: AuthKind; label: string }> = [
  { value: 'none', label: 'None' },
  { value: 'basic', label: 'Basic auth' },
  { value: 'apiKey', label: 'Cloud API key' },
];

export function ApiFields({
  form,
  update,
  errors,
  saved,
}: {
  form: FormState;
  update: (patch: Partial<FormState>) => void;
  errors: FieldErrors;
  saved: ConnectionView | undefined;
}) {
  const id = useId();
  // Validate the URL once the user leaves the field (not on every keystroke: half a URL is invalid).
  const [checkedUrl, setCheckedUrl] = useState(form.apiUrl);
  const parsed = checkedUrl.trim() ? parseApiUrl(checkedUrl) : null;
  const urlError = errors.apiUrl ?? (parsed && !parsed.ok ? `${parsed.error.message} ${parsed.error.hint ?? ''}`.trim() : undefined);
  const isCloud = parsed?.ok === true && parsed.value.kind === 'cloud';
  // A saved secret goes only to the API it was saved for: a new address needs it typed again.
  const moved = storedAuthSecret(saved, form.authKind) && apiMoved(saved, form);
  const keepSecret = storedAuthSecret(saved, form.authKind) && !form.clearAuthSecret && !moved;

  return (
    <fieldset className="form-section">
      <legend className="form-section__title">Prefect API</legend>
      <Field
        label="API URL"
        htmlFor={`${id}-url`}
        error={urlError}
        wide
        help={
          <>
            Self-hosted: the server's <span className="mono">PREFECT_API_URL</span>, e.g.{' '}
            <span className="mono">http://127.0.0.1:4200/api</span> (note the <span className="mono">/api</span>). Prefect
            Cloud: <span className="mono">https://api.prefect.cloud/api/accounts/&lt;id&gt;/workspaces/&lt;id&gt;</span>.
          </>
        }
      >
        <div className="input-row">
          <input
            id={`${id}-url`}
            className="input mono"
            type="url"
            placeholder="http://127.0.0.1:4200/api"
            value={form.apiUrl}
            spellCheck={false}
            autoComplete="off"
            onChange={(e) => update({ apiUrl: e.target.value })}
            onBlur={() => setCheckedUrl(form.apiUrl)}
            data-testid="field-apiUrl"
          />
          {parsed?.ok && <Badge tone={isCloud ? 'accent' : 'neutral'}>{isCloud ? 'Cloud' : 'Self-hosted'}</Badge>}
        </div>
        {parsed?.ok &&
          parsed.value.notes.map((n) => (
            <div key={n} className="field__note">
              {n}
            </div>
          ))}
      </Field>

      <Field label="Authentication" wide>
        <Segmented
          label="Authentication"
          value={form.authKind}
          options={AUTH_OPTIONS}
          onChange={(authKind) => update({ authKind, clearAuthSecret: false })}
          testId="field-authKind"
        />
        {isCloud && form.authKind !== 'apiKey' && (
          <div className="field__note">Prefect Cloud needs an API key.</div>
        )}
      </Field>

      {form.authKind === 'basic' && (
        <Field
          label="Auth string"
          htmlFor={`${id}-auth`}
          error={errors.authString}
          help={
            <>
              <span className="mono">user:password</span>, the client's <span className="mono">PREFECT_API_AUTH_STRING</span>{' '}
              (the server has the same value in <span className="mono">PREFECT_SERVER_API_AUTH_STRING</span>). Sent as HTTP
              Basic auth; stored encrypted, never shown again.
            </>
          }
        >
          <SecretInput
            id={`${id}-auth`}
            value={form.authString}
            onChange={(authString) => update({ authString })}
            keep={keepSecret}
            placeholder="user:password"
            cleared={form.clearAuthSecret}
            canClear={storedAuthSecret(saved, 'basic')}
            onClear={(clearAuthSecret) => update({ clearAuthSecret })}
            savedLabel={saved?.apiAuth.kind === 'basic' && saved.apiAuth.user ? `saved for user ${saved.apiAuth.user}` : 'saved'}
            moved={moved}
            testId="field-authString"
          />
        </Field>
      )}

      {form.authKind === 'apiKey' && (
        <Field
          label="API key"
          htmlFor={`${id}-key`}
          error={errors.apiKey}
          help={
            <>
              A Prefect Cloud key (<span className="mono">PREFECT_API_KEY</span>, starts with{' '}
              <span className="mono">pnu_</span> or <span className="mono">pnb_</span>). Sent as a Bearer token; stored
              encrypted, never shown again.
            </>
          }
        >
          <SecretInput
            id={`${id}-key`}
            value={form.apiKey}
            onChange={(apiKey) => update({ apiKey })}
            keep={keepSecret}
            placeholder="pnu_…"
            cleared={form.clearAuthSecret}
            canClear={storedAuthSecret(saved, 'apiKey')}
            onClear={(clearAuthSecret) => update({ clearAuthSecret })}
            savedLabel="saved"
            moved={moved}
            testId="field-apiKey"
          />
        </Field>
      )}
    </fieldset>
  );
}

/**
 * A password-type input for a secret. When one is stored: the placeholder says so and a blank
 * field keeps it; "Remove saved" sends null so main deletes it.
 */
export function SecretInput({
  id,
  value,
  onChange,
  keep,
  placeholder,
  cleared,
  canClear,
  onClear,
  savedLabel,
  moved = false,
  testId,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
  keep: boolean;
  placeholder: string;
  cleared: boolean;
  canClear: boolean;
  onClear: (clear: boolean) => void;
  savedLabel: string;
  /** A secret is saved, but for another destination than the form's: it must be typed again. */
  moved?: boolean;
  testId: string;
}) {
  return (
    <>
      <div className="input-row">
        <input
          id={id}
          className="input mono"
          type="password"
          autoComplete="new-password"
          spellCheck={false}
          value={value}
          placeholder={keep ? '••••••••' : cleared ? 'will be removed on save' : moved ? 'enter it again' : placeholder}
          onChange={(e) => {
            onChange(e.target.value);
            if (cleared && e.target.value) onClear(false);
          }}
          data-testid={testId}
        />
        {canClear && !value && (
          <button type="button" className="btn btn--link" onClick={() => onClear(!cleared)}>
            {cleared ? 'Keep saved' : 'Remove saved'}
          </button>
        )}
      </div>
      {keep && !value && <div className="field__saved">{savedLabel} — leave blank to keep</div>}
      {moved && !value && !cleared && (
        <div className="field__note" data-testid={`${testId}-moved`}>
          The address changed, so the saved value is not sent there: enter it again. A saved secret only goes to the server it was saved for.
        </div>
      )}
      {cleared && !value && <div className="field__note">The saved value will be removed when you save.</div>}
    </>
  );
}
