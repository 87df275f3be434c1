/**
 * Beside the form: what the server already does on its own. Prefect's event retention
 * (server.events.retention_period) and its database vacuum (3.6.19+, flow runs off by default), read
 * from GET /admin/settings, and, once a plan exists, the profile settings that would make the same
 * retention Prefect's own hourly habit (preset "retention-vacuum" on the Profiles screen).
 */
import type { RetentionContext } from '../../../shared/contracts/retention';
import { humanSeconds, type PrefectVacuumView, type RetentionPlan } from '../../../shared/domain/retention';
import type { ClientError } from '../../api/client';
import { Badge } from '../../components/Badge';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { href } from '../../lib/router';

const onOff = (v: boolean | null) => (v === null ? <Badge>unknown</Badge> : v ? <Badge tone="ok">on</Badge> : <Badge tone="skip">off</Badge>);

function Facts({ p }: { p: PrefectVacuumView }) {
  return (
    <dl className="ret-facts" data-testid="retention-prefect-facts">
      <dt>Prefect</dt>
      <dd>{p.version ?? 'version unknown'}</dd>
      <dt>Event retention</dt>
      <dd data-testid="retention-prefect-events">
        {p.eventsRetentionSeconds !== null ? humanSeconds(p.eventsRetentionSeconds) : 'not readable'}
        {p.eventPersisterOn === false ? ' (event persister off: nothing trims them)' : ''}
      </dd>
      <dt>db_vacuum</dt>
      <dd data-testid="retention-prefect-vacuum">{p.available ? 'available (3.6.19+)' : 'not in this version'}</dd>
      {p.available && (
        <>
          <dt>· flow runs</dt>
          <dd>
            {onOff(p.flowRunsOn)}
            {p.flowRunsOn && p.retentionSeconds !== null ? ` older than ${humanSeconds(p.retentionSeconds)}` : ''}
          </dd>
          <dt>· events</dt>
          <dd>{onOff(p.eventsOn)}</dd>
          <dt>· orphans</dt>
          <dd>{onOff(p.orphansOn)}</dd>
        </>
      )}
    </dl>
  );
}

export function PrefectVacuumCard({ context, error, plan }: { context: RetentionContext | undefined; error: ClientError | null; plan: RetentionPlan | null }) {
  const p = plan?.prefect ?? context?.prefect;
  return (
    <aside className="card ret-prefect" data-testid="retention-prefect">
      <div className="card__title">Prefect&apos;s own retention</div>
      {error && <ErrorNotice title="Could not read the server" error={error} />}
      {!p && !error && <Spinner label="Reading the server's settings…" />}
      {p && (
        <>
          <Facts p={p} />
          <p className="ret-prefect__summary">{p.summary}</p>
          {context?.backend === 'api' && (
            <div className="notice notice--warn" data-testid="retention-no-db">
              No database access on this connection: Housekeeper cannot count every table, delete events or orphans, or give space back
              here. Add the server&apos;s Postgres URL or SQLite file to the connection for the full retention.
            </div>
          )}
          {p.presetChanges && (
            <details className="ret-prefect__preset">
              <summary>Make this retention Prefect&apos;s habit</summary>
              <p className="muted">These profile settings turn on Prefect&apos;s vacuum with this plan&apos;s periods (preset &quot;{p.presetId}&quot;), applied after a server restart:</p>
              <ul className="mono ret-prefect__settings">
                {Object.entries(p.presetChanges).map(([k, v]) => (
                  <li key={k}>
                    {k}={v}
                  </li>
                ))}
              </ul>
              <a className="link" href={href('profiles')}>Open Profiles</a>
            </details>
          )}
        </>
      )}
    </aside>
  );
}
