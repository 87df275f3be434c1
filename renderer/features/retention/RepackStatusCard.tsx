/**
 * pg_repack as the core's maintenance view reports it: whether the extension and a matching client
 * are there, what to install otherwise, and the locks it takes. Housekeeper does not start it from
 * this screen yet (the job is being built); the CLI's `retention maintenance` says the same.
 */
import type { RepackStatus } from '../../../shared/domain/retention/maintenance';
import { Badge } from '../../components/Badge';

export function RepackStatusCard({ repack }: { repack: RepackStatus }) {
  return (
    <div className="ret-repack" data-testid="retention-repack">
      <div className="ret-repack__title">
        pg_repack (online rewrite) <Badge tone={repack.usable ? 'ok' : 'skip'}>{repack.usable ? 'usable here' : 'not usable here'}</Badge>
      </div>
      <p>{repack.reason}</p>
      {!repack.usable && (
        <ol className="ret-repack__install">
          {repack.install.map((s) => (
            <li key={s}>{s}</li>
          ))}
        </ol>
      )}
      <p className="muted">{repack.locks}</p>
      <p className="muted">Housekeeper does not start pg_repack from this screen yet; until it does, VACUUM FULL above is the rewrite it offers.</p>
    </div>
  );
}
