import { lazy, Suspense, useEffect } from 'react';
import { refreshConnections, useConnections } from '../api/connections';
import { ErrorNotice } from '../components/ErrorNotice';
import { Spinner } from '../components/Spinner';
import { ActivityScreen } from '../features/activity/ActivityScreen';
import { ConnectionsScreen } from '../features/connections/ConnectionsScreen';
import { OverviewScreen } from '../features/overview/OverviewScreen';
import { PurgeScreen } from '../features/purge/PurgeScreen';
import { SchedulesScreen } from '../features/schedules/SchedulesScreen';
import { useRoute } from '../lib/router';
import { ErrorBoundary } from './ErrorBoundary';
import { HealthStrip } from './HealthStrip';
import { JobPage } from './JobPage';
import { Sidebar, type ScreenId } from './Sidebar';

// The settings catalog behind Profiles is large; load that screen only when it is opened, so the
// first paint during an incident stays small.
const ProfilesScreen = lazy(() => import('../features/profiles/ProfilesScreen').then((m) => ({ default: m.ProfilesScreen })));

export function App() {
  const { segments } = useRoute();
  const connections = useConnections();
  const [first = '', ...rest] = segments;
  // With a current connection, the Overview is where Housekeeper opens (the first question of a session).
  const screen: ScreenId = first === 'overview' || (first === '' && connections.currentId) ? 'overview' : first === 'activity' || first === 'jobs' ? 'activity' : first === 'purge' ? 'purge' : first === 'schedules' ? 'schedules' : first === 'profiles' ? 'profiles' : 'connections';
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
        <ErrorNotice title="Housekeeper could not read its saved connections" error={connections.error}>
          <button type="button" className="btn btn--small notice__action" onClick={() => void refreshConnections()}>
            Try again
          </button>
        </ErrorNotice>
      </div>
    );
  } else if (screen === 'overview') {
    body = <OverviewScreen />;
  } else if (screen === 'activity') {
    body = <ActivityScreen />;
  } else if (first === 'jobs' && rest[0]) {
    body = <JobPage jobId={rest[0]} />;
  } else if (screen === 'purge') {
    body = <PurgeScreen path={rest} />;
  } else if (screen === 'schedules') {
    body = <SchedulesScreen path={rest} />;
  } else if (screen === 'profiles') {
    body = (
      <Suspense fallback={<div className="page page--center"><Spinner label="Loading Profiles…" /></div>}>
        <ProfilesScreen path={rest} />
      </Suspense>
    );
  } else {
    body = <ConnectionsScreen path={rest} />;
  }

  return (
    <div className="shell">
      <Sidebar active={screen} />
      <main className="main">
        {connections.status === 'ready' && <HealthStrip />}
        <ErrorBoundary key={screen}>{body}</ErrorBoundary>
      </main>
    </div>
  );
}
