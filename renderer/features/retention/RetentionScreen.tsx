/**
 * Retention: delete old finished runs (with everything that belongs to them) and old events, then
 * give the space back. #/retention is the form and the plan; #/retention/run/<planId> is an
 * execution's own page (the jobs tray links there, so leaving or reloading loses nothing);
 * #/retention/maintenance is the after: table sizes, dead rows, VACUUM and the rewrites.
 */
import { useCurrentConnection } from '../../api/connections';
import { EmptyState } from '../../components/EmptyState';
import { href } from '../../lib/router';
import { MaintenanceView } from './MaintenanceView';
import { RetentionPlanner } from './RetentionPlanner';
import { RetentionRun } from './RetentionRun';
import '../../styles/retention.css';

export function RetentionScreen({ path = [] }: { path?: string[] }) {
  const conn = useCurrentConnection();
  const [sub, planId] = path;
  if (!conn) {
    return (
      <div className="page">
        <EmptyState title="No connection selected" actions={<a className="btn btn--primary" href={href('connections')}>Choose a connection</a>}>
          Retention works on one Prefect server at a time.
        </EmptyState>
      </div>
    );
  }
  const maintenance = sub === 'maintenance';
  return (
    <div className="page page--retention">
      <header className="page__header">
        <div>
          <h1 className="page__title">Retention: delete old finished runs and events</h1>
          <p className="page__lead">
            Completed, Failed, Cancelled and Crashed runs older than a period, with their states, task runs, logs, artifacts and inputs, as
            Prefect&apos;s own database vacuum would. Plan first; nothing is deleted until you type the run count.
          </p>
        </div>
      </header>
      <nav className="ret-tabs" aria-label="Retention">
        <a className={`ret-tabs__tab${maintenance ? '' : ' ret-tabs__tab--on'}`} href={href('retention')} aria-current={maintenance ? undefined : 'page'} data-testid="retention-tab-plan">
          Plan and delete
        </a>
        <a className={`ret-tabs__tab${maintenance ? ' ret-tabs__tab--on' : ''}`} href={href('retention', 'maintenance')} aria-current={maintenance ? 'page' : undefined} data-testid="retention-tab-maintenance">
          Space and maintenance
        </a>
      </nav>
      {maintenance ? (
        <MaintenanceView connectionId={conn.id} readOnly={conn.readOnly} />
      ) : sub === 'run' && planId ? (
        <RetentionRun planId={planId} connectionId={conn.id} />
      ) : (
        <RetentionPlanner connectionId={conn.id} readOnly={conn.readOnly} />
      )}
    </div>
  );
}
