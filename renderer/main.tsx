import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { face } from './api/client';
import { App } from './app/App';
import { ErrorBoundary } from './app/ErrorBoundary';
import './styles/base.css';
import './styles/shell.css';
import './styles/controls.css';
import './styles/status.css';
import './styles/tables.css';
import './styles/connections.css';
import './styles/test-report.css';
import './styles/activity.css';
import './styles/purge.css';
import './styles/tray.css';
import './styles/plans.css';
import './styles/health.css';

// Pick the transport first: in web mode this takes the token out of the URL fragment before the
// hash router reads it.
face();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ErrorBoundary>
        <App />
      </ErrorBoundary>
    </StrictMode>,
  );
}
