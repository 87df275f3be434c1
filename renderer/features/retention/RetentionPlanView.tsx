/**
 * Step 2: the dry run, stated so nobody can misread it: the run count is the headline, then every
 * table with the rows it loses, where Housekeeper goes further than Prefect's own db_vacuum, the
 * space, the notes, and a sample of the oldest runs.
 */
import { formatCountValue, impactRows } from '../../../shared/domain/retention/format';
import type { RetentionPlan } from '../../../shared/domain/retention';
import { BarList } from '../../components/BarList';
import { formatBytes, formatCount, formatDateTime, pluralWord } from '../../lib/format';
import { STATE_LABEL } from './form-state';
import { plannedRows } from './plan-logic';

const stateLabel = (s: string) => STATE_LABEL[s as keyof typeof STATE_LABEL] ?? s;

export function RetentionPlanView({ plan, executed = false }: { plan: RetentionPlan; executed?: boolean }) {
  const i = plan.impact;
  const api = plan.executor === 'api';
  const all = plannedRows(i);
  const f = plan.filter;
  const sample = executed ? [] : plan.sample.slice(0, 8);
  const missingIndexes = plan.indexes.filter((x) => !x.present);
  return (
    <section className="card ret-plan" data-testid="retention-plan">
      <div className="purge-plan__headline">
        <div className={`purge-plan__count${executed ? ' purge-plan__count--done' : ''}`} data-testid="retention-plan-count">
          {i.flowRuns.exact ? '' : '≈'}
          {formatCount(plan.confirmCount)}
        </div>
        <div>
          <div className="purge-plan__what">
            finished {pluralWord(plan.confirmCount, 'run')}
            {i.subflowRuns && i.subflowRuns.value > 0 ? ` (and ${formatCountValue(i.subflowRuns)} of their subflows)` : ''} on <strong>{plan.connectionName}</strong>
            {executed ? ' were planned for deletion (progress above)' : plan.readOnly ? ' would be deleted, with everything that belongs to them, but this connection is read-only: nothing is deleted from here' : ' will be deleted, with everything that belongs to them'}
          </div>
          <div className="muted" data-testid="retention-plan-scope">
            ended before <strong>{formatDateTime(plan.cutoff)}</strong> ({plan.cutoffGiven}) · {f.stateTypes.map(stateLabel).join(', ')} ·{' '}
            {f.deployments.length ? `${f.deployments.length === 1 ? 'deployment' : 'deployments'} ${f.deployments.join(', ')}` : 'every deployment'}
            {f.keepNewest > 0 ? ` · newest ${f.keepNewest} of each kept (${formatCount(plan.kept)})` : ''} · via {api ? 'the Prefect API' : `SQL on ${plan.backend === 'sqlite' ? 'SQLite' : 'PostgreSQL'}`}
          </div>
          <div className="muted">
            {plan.eventsCutoff ? <>Events that occurred before <strong>{formatDateTime(plan.eventsCutoff)}</strong>, server-wide.</> : 'Events are kept.'}
            {plan.confirmCount > 0 && plan.oldestEnd ? ` Oldest run ended ${formatDateTime(plan.oldestEnd)}, newest ${plan.newestEnd ? formatDateTime(plan.newestEnd) : '-'}.` : ''}
          </div>
        </div>
      </div>

      <div className="ret-plan__grid">
        <div>
          <h3 className="section-title">Rows deleted, table by table</h3>
          <table className="table table--compact ret-impact" data-testid="retention-impact">
            <thead>
              <tr><th>Table</th><th>What</th><th className="num">Rows</th></tr>
            </thead>
            <tbody>
              {impactRows(i, api).map((r) => (
                <tr key={`${r.table}:${r.what}`} className={r.count ? '' : 'ret-impact__absent'} data-table={r.table}>
                  <td className="mono">{r.table}</td>
                  <td>{r.what}</td>
                  <td className="num" title={r.count?.how ?? undefined}>{r.count ? formatCountValue(r.count) : <span className="muted">{r.absent?.replace(' (--orphans)', ': the orphans box is unchecked')}</span>}</td>
                </tr>
              ))}
              <tr className="ret-impact__total">
                <td colSpan={2}>In all{all.estimated ? ' (estimated, 99 % margin per row)' : ''}</td>
                <td className="num" data-testid="retention-impact-total">{all.estimated ? '≈' : ''}{formatCount(all.rows)} rows</td>
              </tr>
              <tr>
                <td colSpan={2}>Space made reusable (estimate; files shrink only after a rewrite)</td>
                <td className="num" data-testid="retention-bytes">{plan.bytesEstimate === null ? 'unknown' : formatBytes(plan.bytesEstimate)}</td>
              </tr>
            </tbody>
          </table>
        </div>
        <div>
          {plan.beyondPrefect.length > 0 && (
            <div className="ret-beyond" data-testid="retention-beyond">
              <div className="ret-beyond__title">Where this goes further than Prefect&apos;s own db_vacuum</div>
              <ul>
                {plan.beyondPrefect.map((b) => (
                  <li key={b}>{b}</li>
                ))}
              </ul>
            </div>
          )}
          {plan.byState.length > 0 && plan.confirmCount > 0 && (
            <>
              <h3 className="section-title ret-plan__bystate">Runs by final state</h3>
              <BarList testId="retention-by-state" items={plan.byState.map((s) => ({ key: s.stateType, label: stateLabel(s.stateType), value: s.count }))} />
            </>
          )}
        </div>
      </div>

      {plan.notes.length > 0 && (
        <ul className="purge-notes" data-testid="retention-notes">
          {plan.notes.map((n) => (
            <li key={n}>{n}</li>
          ))}
          {missingIndexes.map((x) => (
            <li key={x.index}>
              Index <span className="mono">{x.index}</span> on {x.table} is missing: {x.note}
            </li>
          ))}
        </ul>
      )}

      {sample.length > 0 && (
        <>
          <h3 className="section-title">Sample ({sample.length} of {formatCount(plan.confirmCount)}, oldest first)</h3>
          <div className="table-wrap">
            <table className="table table--compact" data-testid="retention-sample">
              <thead>
                <tr><th>Run</th><th>Deployment</th><th>State</th><th>Ended</th></tr>
              </thead>
              <tbody>
                {sample.map((r) => (
                  <tr key={r.id}>
                    <td><span className="mono">{r.name}</span><div className="cell-sub mono">{r.id}</div></td>
                    <td>{r.deployment}</td>
                    <td>{stateLabel(r.stateType)}</td>
                    <td className="nowrap">{r.endTime ? formatDateTime(r.endTime) : '-'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
