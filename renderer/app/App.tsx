import { lazy, Suspense, useEffect } from 'react';
import { refreshConnections, useConnections } from '../api/connections';
import { ErrorNotice } from '../components/ErrorNotice';
import { Spinner } from '../components/Spinner';
import { ConnectionsScreen } from '../features/connections/ConnectionsScreen';
import { useRoute } from '../lib/router';
import { ErrorBoundary } from './ErrorBoundary';
import { HealthStrip } from './HealthStrip';
import { JobPage } from './JobPage';
import { Sidebar, type ScreenId } from './Sidebar';

// Screens load when first opened, so the first paint during an incident stays small: the settings
// catalog (Profiles), the table library (Schedules, Purge, Activity) and the chart library
// (Overview) are separate chunks. Connections, the first-run screen, stays in the initial bundle.
const ProfilesScreen = lazy(() => import('../features/profiles/ProfilesScreen').then((m) => ({ default: m.ProfilesScreen })));
const OverviewScreen = lazy(() => import('../features/overview/OverviewScreen').then((m) => ({ default: m.OverviewScreen })));
const SchedulesScreen = lazy(() => import('../features/schedules/SchedulesScreen').then((m) => ({ default: m.SchedulesScreen })));
const PurgeScreen = lazy(() => import('../features/purge/PurgeScreen').then((m) => ({ default: m.PurgeScreen })));
const RetentionScreen = lazy(() => import('../features/retention/RetentionScreen').then((m) => ({ default: m.RetentionScreen })));
const ActivityScreen = lazy(() => import('../features/activity/ActivityScreen').then((m) => ({ default: m.ActivityScreen })));
// Diagnose is where Housekeeper opens with a connection; it too is its own chunk.
const DiagnoseScreen = lazy(() => import('../features/diagnose/DiagnoseScreen').then((m) => ({ default: m.DiagnoseScreen })));

export function App() {
  const { segments } = useRoute();
  const connections = useConnections();
  const [first = '', ...rest] = segments;
  // With a current connection, Diagnose is where Housekeeper opens: "the server is slow" -> findings -> fix.
  // A job's own page (#/jobs/<id>, from the tray) lights Activity in the sidebar.
  const screen: ScreenId = first === 'diagnose' || (first === '' && connections.currentId) ? 'diagnose' : first === 'overview' ? 'overview' : first === 'activity' || first === 'jobs' ? 'activity' : first === 'purge' ? 'purge' : first === 'retention' ? 'retention' : first === 'schedules' ? 'schedules' : first === 'profiles' ? 'profiles' : 'connections';
  const current = connections.connections.find((c) => c.id === connections.currentId);

  // The window or tab title names the server, so several open windows are told apart.
  useEffect(() => {
    document.title = current ? `${current.name} — Housekeeper` : 'Housekeeper';
  }, [current?.name]);

  let body;
  if (connections.status === 'loading') {
    body = (
      <div className="page page--center">
        <Spinner label="Opening Housekeeper…" />
      </div>
    );
  } else if (connections.status === 'error' && connections.error) {
    body = (
      <div className="page">
        <ErrorNotice title={connections.error.code === 'FORBIDDEN' ? 'This browser is not signed in' : 'Housekeeper could not read its saved connections'} error={connections.error}>
          <button type="button" className="btn btn--small notice__action" onClick={() => void refreshConnections()}>
            Try again
          </button>
        </ErrorNotice>
      </div>
    );
  } else if (screen === 'diagnose') {
    body = <DiagnoseScreen />;
  } else if (screen === 'overview') {
    body = <OverviewScreen />;
  } else if (first === 'jobs' && rest[0]) {
    body = <JobPage jobId={rest[0]} />;
  } else if (screen === 'activity') {
    body = <ActivityScreen />;
  } else if (screen === 'purge') {
    body = <PurgeScreen path={rest} />;
  } else if (screen === 'retention') {
    body = <RetentionScreen path={rest} />;
  } else if (screen === 'schedules') {
    body = <SchedulesScreen path={rest} />;
  } else if (screen === 'profiles') {
    body = <ProfilesScreen path={rest} />;
  } else {
    body = <ConnectionsScreen path={rest} />;
  }

  return (
    <div className="shell">
      <Sidebar active={screen} />
      <main className="main">
        {connections.status === 'ready' && <HealthStrip />}
        <ErrorBoundary key={screen}>
          <Suspense fallback={<div className="page page--center"><Spinner label="Loading…" /></div>}>{body}</Suspense>
        </ErrorBoundary>
      </main>
    </div>
  );
}
