import { useRequest } from '../api/hooks';
import { href } from '../lib/router';
import { ConnectionPicker } from './ConnectionPicker';
import { JobsTray } from './JobsTray';

/**
 * Only screens that exist get an entry, one line each.
 */
const NAV = [
  { id: 'diagnose', label: 'Diagnose', icon: 'M2 8h2.5l1.5-3 2.5 7 2-5.5 1 1.5H14' },
  { id: 'overview', label: 'Overview', icon: 'M2.5 13.5V8.5M6.5 13.5V3.5M10.5 13.5V6.5M14 13.5H2' },
  { id: 'purge', label: 'Purge', icon: 'M3 4.5h10M6 4.5V3h4v1.5M4.5 4.5l.7 9h5.6l.7-9' },
  { id: 'retention', label: 'Retention', icon: 'M2.5 3.5h11v3h-11zM3.5 6.5v6h9v-6M6.5 9h3' },
  { id: 'schedules', label: 'Schedules', icon: 'M8 2.5a5.5 5.5 0 1 0 0 11 5.5 5.5 0 0 0 0-11zM8 5v3.2l2.2 1.4' },
  { id: 'profiles', label: 'Profiles', icon: 'M3 3.5h10v9H3zM5.5 6.5h5M5.5 9.5h3' },
  { id: 'connections', label: 'Connections', icon: 'M2 4.5h12M2 8h12M2 11.5h12' },
  { id: 'activity', label: 'Activity', icon: 'M1.5 8h3l2-5 3 10 2-5h3' },
] as const;

export type ScreenId = (typeof NAV)[number]['id'];

export function Sidebar({ active }: { active: ScreenId }) {
  const info = useRequest('app.info', {});
  return (
    <aside className="sidebar">
      <div className="sidebar__brand">
        <svg width="20" height="20" viewBox="0 0 20 20" aria-hidden="true" className="sidebar__logo">
          <rect x="1" y="1" width="18" height="18" rx="5" />
          <path d="M6 14V6M14 14V6M6 10h8" />
        </svg>
        <div>
          <div className="sidebar__name">Housekeeper</div>
          <div className="sidebar__tagline">for Prefect servers</div>
        </div>
      </div>

      <ConnectionPicker />

      <nav className="nav" aria-label="Screens">
        {NAV.map((n) => (
          <a
            key={n.id}
            href={href(n.id)}
            className={`nav__item${active === n.id ? ' nav__item--active' : ''}`}
            aria-current={active === n.id ? 'page' : undefined}
            data-testid={`nav-${n.id}`}
          >
            <svg width="16" height="16" viewBox="0 0 16 16" aria-hidden="true" className="nav__icon">
              <path d={n.icon} />
            </svg>
            {n.label}
          </a>
        ))}
      </nav>

      <JobsTray />

      <div className="sidebar__footer">
        {info.data && (
          <>
            <div>
              {info.data.face === 'web' ? 'Local web mode' : 'Desktop'} · v{info.data.version}
            </div>
            <div className="sidebar__store mono" title={`Local store: ${info.data.storePath}`}>
              {info.data.storePath}
            </div>
          </>
        )}
      </div>
    </aside>
  );
}
