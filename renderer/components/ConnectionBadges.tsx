import type { ConnectionView } from '../../shared/domain/connection';
import { apiKindLabel, dbKindLabel } from '../lib/connection';
import { Badge } from './Badge';

/** Kind at a glance: self-hosted or Cloud, which database, and read-only in amber. */
export function ConnectionBadges({ connection }: { connection: Pick<ConnectionView, 'apiKind' | 'db' | 'readOnly'> }) {
  return (
    <span className="badges">
      <Badge tone={connection.apiKind === 'cloud' ? 'accent' : 'neutral'}>{apiKindLabel(connection)}</Badge>
      <Badge>{dbKindLabel(connection.db.kind)}</Badge>
      {connection.readOnly && (
        <Badge tone="warn" title="Every destructive action refuses on this connection">
          Read-only
        </Badge>
      )}
    </span>
  );
}
