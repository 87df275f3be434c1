/**
 * Diagnose: the first screen after connecting. "My Prefect server is slow" in, a ranked list of
 * findings out, each with its numbers, Prefect's mechanism, the fix and its predicted effect; then
 * one session that fixes the chosen ones (pause, purge, recreate, settings, resume, vacuum), watched
 * as jobs, and the numbers before and after side by side. Diagnosing is read-only.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Diagnosis, FindingId, Session, SessionPlan } from '../../../shared/domain/diagnose';
import { useCurrentConnection } from '../../api/connections';
import { call, face } from '../../api/client';
import { saveTextFile } from '../../api/files';
import { useAction, useRequest } from '../../api/hooks';
import { EmptyState } from '../../components/EmptyState';
import { ErrorNotice } from '../../components/ErrorNotice';
import { Spinner } from '../../components/Spinner';
import { formatDuration, formatRelative, plural } from '../../lib/format';
import { href } from '../../lib/router';
import { ChecksPanel, FactsPanel } from './ChecksPanel';
import { FindingCard } from './FindingCard';
import { PlanReview } from './PlanReview';
import { SessionForm, type SessionChoices } from './SessionForm';
import { SessionResult } from './SessionResult';
import { SessionRun } from './SessionRun';
import { Summary } from './Summary';
import './diagnose.css';

/** A saved diagnosis younger than this is shown as is; an older one triggers a new diagnosis. */
const FRESH_MS = 5 * 60_000;

const fixable = (f: Diagnosis['findings'][number]) => f.actions.some((a) => a.kind !== 'manual');

export function profileFor(name: string): string {
  return `${name.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 80) || 'prefect-server'}-settings`;
}

export function DiagnoseScreen() {
  const conn = useCurrentConnection();
  const connectionId = conn?.id ?? '';
  const [d, setD] = useState<Diagnosis | null>(null);
  const [processes, setProcesses] = useState('');
  const [picked, setPicked] = useState<ReadonlySet<FindingId>>(new Set());
  const [choices, setChoices] = useState<SessionChoices>({ keepNewest: '0', profile: '', format: 'env', path: '', inputs: {} });
  const [plan, setPlan] = useState<SessionPlan | null>(null);
  const [run, setRun] = useState<{ jobId: string; sessionId: string } | null>(null);
  const [session, setSession] = useState<Session | null>(null);
  const latest = useRequest('diagnose.latest', { connectionId }, connectionId);
  const diagnose = useAction('diagnose.run');
  const planner = useAction('diagnose.plan');
  const applier = useAction('diagnose.apply');
  const reporter = useAction('diagnose.report');
  const exporter = useAction('profiles.exportPreview');
  const autoRan = useRef<string | null>(null);

  const show = useCallback((x: Diagnosis) => {
    setD(x);
    setPicked(new Set(x.findings.filter(fixable).map((f) => f.id)));
    if (x.processes.basis === 'stated') setProcesses(String(x.processes.count));
  }, []);

  const again = async () => {
    if (!connectionId) return;
    const n = Number(processes);
    const r = await diagnose.run({ connectionId, ...(processes.trim() && Number.isInteger(n) && n >= 1 ? { serverProcesses: n } : {}) });
    if (r) {
      show(r);
      setPlan(null);
    }
  };

  useEffect(() => {
    setD(null);
    setPlan(null);
    setRun(null);
    setSession(null);
  }, [connectionId]);
  useEffect(() => {
    if (!connectionId || latest.loading || latest.data === undefined || autoRan.current === connectionId) return;
    if (latest.data && latest.data.connectionId !== connectionId) return;
    autoRan.current = connectionId;
    if (latest.data) show(latest.data);
    if (!latest.data || Date.now() - Date.parse(latest.data.createdAt) > FRESH_MS) void again();
    // A session still running (the window was reloaded): watch it again.
    void call('diagnose.sessions', { connectionId, limit: 1 }).then(async ([s]) => {
      if (s?.status !== 'running') return;
      const full = await call('diagnose.session', { sessionId: s.sessionId });
      if (full.jobId && full.status === 'running') {
        setPlan(full.plan);
        setRun({ jobId: full.jobId, sessionId: s.sessionId });
      }
    }, () => undefined);
  }, [connectionId, latest.loading, latest.data]);

  const pickedFindings = useMemo(() => (d ? d.findings.filter((f) => picked.has(f.id)) : []), [d, picked]);

  if (!conn) {
    return (
      <div className="page">
        <EmptyState title="No connection selected" actions={<a className="btn btn--primary" href={href('connections')}>Choose a connection</a>}>
          Diagnose reads one Prefect server at a time and tells you what slows it down, with the fix.
        </EmptyState>
      </div>
    );
  }

  const review = async () => {
    if (!d) return;
    const keep = Number(choices.keepNewest || '0');
    const p = await planner.run({
      connectionId,
      diagnosisId: d.id,
      findings: [...picked],
      keepNewest: Number.isInteger(keep) ? keep : -1,
      settings: { ...(choices.profile.trim() ? { profile: choices.profile.trim() } : {}), format: choices.format, ...(face() === 'electron' && choices.path.trim() ? { path: choices.path.trim() } : {}) },
      inputs: Object.fromEntries(Object.entries(choices.inputs).filter(([, v]) => v.trim())),
    });
    if (p) setPlan(p);
  };
  const start = async () => {
    if (!plan) return;
    const r = await applier.run({ sessionId: plan.sessionId, confirmCount: plan.confirmCount });
    if (r) setRun({ jobId: r.jobId, sessionId: plan.sessionId });
  };
  const finished = async () => {
    if (!run) return;
    const s = await call('diagnose.session', { sessionId: run.sessionId });
    setSession(s);
    if (s.after) show(s.after);
  };
  const report = async (copy: boolean) => {
    if (!session) return;
    const r = await reporter.run({ sessionId: session.plan.sessionId, format: 'md' });
    if (!r) return;
    const save = () => saveTextFile({ suggestedName: r.filename, content: r.content, mime: r.mime, title: 'Save the session report', filters: [{ name: 'Markdown', extensions: ['md'] }] });
    if (copy) await navigator.clipboard.writeText(r.content).catch(save);
    else await save();
  };
  // The settings the session saved, as the exported file (a download in web mode, a Save dialog in the window).
  const saveSettings = async () => {
    const w = session?.outcome?.settingsWritten;
    if (!w) return;
    const r = await exporter.run({ id: w.profile, rev: w.rev, format: w.format, includeSecrets: false, options: {} });
    if (r) await saveTextFile({ suggestedName: r.fileName, content: r.content, title: 'Save the settings for the restart' });
  };
  const reset = () => {
    setSession(null);
    setRun(null);
    setPlan(null);
  };

  return (
    <div className="page page--diagnose" data-testid="diagnose-page" data-loading={diagnose.running ? 'true' : 'false'}>
      <header className="page__header">
        <div>
          <h1 className="page__title">Diagnose</h1>
          <p className="page__lead" data-testid="diagnose-lead">
            {d ? (
              <>
                {[d.prefectVersion ? `Prefect ${d.prefectVersion}` : null, d.source === 'api' ? 'API only' : d.source === 'postgres' ? 'PostgreSQL' : 'SQLite'].filter(Boolean).join(' · ')}
                {' · '}
                <span title={d.createdAt}>diagnosed {formatRelative(d.createdAt)}</span> in {formatDuration(d.durationMs)}, read-only
              </>
            ) : (
              'What slows this Prefect server down, most harmful first, with the fix.'
            )}
          </p>
        </div>
        <div className="page__actions">
          <label className="inline-field dg-processes" title="API replicas plus separate `prefect server services start` processes that share this database. Leave empty to infer it from the database sessions.">
            <span className="muted">Server processes</span>
            <input className="input input--narrow" value={processes} onChange={(e) => setProcesses(e.target.value)} inputMode="numeric" placeholder="auto" aria-label="Server processes" />
          </label>
          <button type="button" className="btn btn--primary" onClick={() => void again()} disabled={diagnose.running || !!run} data-testid="diagnose-now">
            {diagnose.running ? 'Diagnosing…' : 'Diagnose again'}
          </button>
        </div>
      </header>

      {diagnose.error && <ErrorNotice title="The diagnosis failed" error={diagnose.error} onDismiss={diagnose.clearError} />}
      {latest.error && <ErrorNotice title="Could not read the saved diagnoses" error={latest.error} />}
      {reporter.error && <ErrorNotice title="The report could not be made" error={reporter.error} onDismiss={reporter.clearError} />}
      {exporter.error && <ErrorNotice title="The settings could not be exported" error={exporter.error} onDismiss={exporter.clearError} />}

      {session ? (
        <SessionResult s={session} busy={reporter.running || exporter.running} onReport={() => void report(false)} onCopy={() => void report(true)} onSaveSettings={() => void saveSettings()} onDone={reset} />
      ) : run ? (
        <SessionRun jobId={run.jobId} connectionId={connectionId} steps={plan?.steps ?? null} onFinished={() => void finished()} />
      ) : plan ? (
        <PlanReview plan={plan} busy={applier.running} error={applier.error} onConfirm={() => void start()} onBack={() => setPlan(null)} />
      ) : !d ? (
        <div className="page--center">
          <Spinner label={`Diagnosing ${conn.name}: settings, schedules, runs, database… (read-only)`} />
        </div>
      ) : (
        <div data-testid="diagnosis" data-diagnosis-id={d.id}>
          <Summary d={d} />
          {d.findings.length === 0 ? (
            <section className="card dg-clean" data-testid="no-findings">
              <div className="card__title">Nothing to fix</div>
              <p className="muted">Every check came back clear{d.checks.some((c) => c.status === 'unavailable') ? ' or could not run here (see the checks below)' : ''}. A finding is only raised on evidence from this server.</p>
            </section>
          ) : (
            <>
              {d.findings.map((f, i) => (
                <FindingCard
                  key={f.id}
                  f={f}
                  rank={i + 1}
                  fixable={fixable(f)}
                  picked={picked.has(f.id)}
                  onToggle={() =>
                    setPicked((p) => {
                      const n = new Set(p);
                      if (n.has(f.id)) n.delete(f.id);
                      else n.add(f.id);
                      return n;
                    })
                  }
                />
              ))}
              <section className="card dg-fixbar" data-testid="fix-bar">
                <div className="card__title">Fix {pickedFindings.length === 1 ? 'this finding' : `these ${pickedFindings.length} findings`} in one session</div>
                <SessionForm picked={pickedFindings} choices={choices} onChange={setChoices} defaultProfile={profileFor(conn.name)} />
                {planner.error && <ErrorNotice title="The plan could not be made; nothing was changed" error={planner.error} onDismiss={planner.clearError} />}
                <div className="form__actions">
                  <button type="button" className="btn btn--primary" disabled={pickedFindings.length === 0 || planner.running} onClick={() => void review()} data-testid="review-plan">
                    {planner.running ? 'Working out the plan…' : `Review the plan for ${plural(pickedFindings.length, 'finding')}`}
                  </button>
                  <span className="muted">Nothing changes before you confirm the plan.</span>
                </div>
              </section>
            </>
          )}
          <ChecksPanel d={d} />
          <FactsPanel d={d} />
        </div>
      )}
    </div>
  );
}
