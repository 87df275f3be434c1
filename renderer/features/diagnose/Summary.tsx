/** The diagnosis at a glance: findings by severity and the numbers that move when they are fixed. */
import type { Diagnosis, MetricKey } from '../../../shared/domain/diagnose';
import { formatValue } from '../../../shared/domain/diagnose/markdown';

const SHOWN: MetricKey[] = ['late', 'futureHeld', 'predictedInsertsPerLoop', 'databaseBytes'];

export function Summary({ d }: { d: Diagnosis }) {
  const count = (s: string) => d.findings.filter((f) => f.severity === s).length;
  const severe = count('critical') + count('high');
  return (
    <div className="dg-summary" data-testid="diagnose-summary">
      <div className={`dg-tile${severe ? ' dg-tile--bad' : d.findings.length ? ' dg-tile--warn' : ' dg-tile--ok'}`}>
        <div className="dg-tile__label">Findings</div>
        <div className="dg-tile__value" data-testid="findings-count">{d.findings.length}</div>
        <div className="dg-tile__sub">
          {(['critical', 'high', 'medium', 'low'] as const)
            .filter((s) => count(s))
            .map((s) => `${count(s)} ${s}`)
            .join(' · ') || `${d.checks.length} checks clear or not applicable`}
        </div>
      </div>
      {SHOWN.map((k) => {
        const m = d.metrics.find((x) => x.key === k);
        if (!m) return null;
        return (
          <div key={k} className="dg-tile">
            <div className="dg-tile__label">{m.label}</div>
            <div className="dg-tile__value">{formatValue(m.value, m.unit)}</div>
            <div className="dg-tile__sub" title={m.source}>{m.source}</div>
          </div>
        );
      })}
    </div>
  );
}
