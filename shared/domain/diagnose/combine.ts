/**
 * The chosen findings' actions merged into the session's steps, in STEP_ORDER. Pure. Each action
 * kind contributes to steps through COMBINERS, so a new kind adds one entry here and one executor in
 * main/core/diagnose/steps.ts.
 */
import type { SessionStep, StepKind } from './session';
import { STEP_ORDER } from './session';
import type { Action, ActionKind, Finding, FindingId } from './types';

/** The tables a purge deletes from, vacuumed after it on Postgres (purge/vacuum.ts PURGE_TABLES). */
export const AFTER_PURGE_TABLES = ['flow_run', 'flow_run_state', 'task_run', 'task_run_state', 'log', 'artifact', 'flow_run_input'] as const;

export interface CombineOptions {
  /** Values for the actions' inputs (a Redis host…), by name. */
  inputs: Record<string, string>;
  /** Postgres: a purge or a retention is followed by VACUUM (ANALYZE) of the tables it touched. */
  vacuumAfterPurge: boolean;
}

export interface Combined {
  steps: SessionStep[];
  /** Every setting the session writes, merged (first finding wins a clash; the clash is a note). */
  settings: Array<{ name: string; value: string; reason: string; scope: 'server' | 'clients'; finding: FindingId }>;
  /** Deployment ids per step, for the executor. */
  deployments: { pauseResume: string[]; purge: string[]; recreate: string[] };
  vacuum: { tables: string[]; freeze: boolean };
  /** The retention step's period in days (the shortest asked; null: none). */
  retentionDays: number | null;
  manual: Array<{ finding: FindingId; title: string; text: string; command: string | null }>;
  /** Inputs the chosen actions need that were not given. */
  missingInputs: Array<{ name: string; label: string; placeholder: string }>;
  notes: string[];
}

interface Acc {
  purge: Map<string, string>;
  purgeRuns: number;
  recreate: Map<string, string>;
  settings: Combined['settings'];
  vacuum: Set<string>;
  freeze: boolean;
  retention: { days: number; runs: number; exact: boolean } | null;
  manual: Combined['manual'];
  missing: Map<string, { name: string; label: string; placeholder: string }>;
  notes: string[];
  by: Record<StepKind, Set<FindingId>>;
}

type Combiner<K extends ActionKind> = (a: Extract<Action, { kind: K }>, f: FindingId, acc: Acc, o: CombineOptions) => void;

const COMBINERS: { [K in ActionKind]: Combiner<K> } = {
  purge(a, f, acc) {
    for (const d of a.deployments) acc.purge.set(d.id, d.name);
    acc.purgeRuns += a.runs;
    acc.by.purge.add(f);
  },
  recreate(a, f, acc) {
    for (const d of a.deployments) acc.recreate.set(d.id, d.name);
    acc.by.recreate.add(f);
    acc.by.pause.add(f);
    acc.by.resume.add(f);
  },
  settings(a, f, acc, o) {
    const missing = a.inputs.filter((i) => !o.inputs[i.name]?.trim());
    for (const m of missing) acc.missing.set(m.name, m);
    const fill = (v: string) => v.replace(/\{([A-Z0-9_]+)\}/g, (_, k: string) => o.inputs[k]?.trim() ?? `{${k}}`);
    const entries = [...a.set.map((s) => ({ ...s, value: fill(s.value) })), ...a.inputs.filter((i) => o.inputs[i.name]?.trim()).map((i) => ({ name: i.name, value: o.inputs[i.name]!.trim(), reason: i.label }))];
    for (const s of entries) {
      const had = acc.settings.find((x) => x.name === s.name);
      if (had) {
        if (had.value !== s.value) acc.notes.push(`${s.name}: ${had.value} (for ${had.finding}) is kept; ${f} suggested ${s.value}.`);
        continue;
      }
      acc.settings.push({ name: s.name, value: s.value, reason: s.reason, scope: a.scope, finding: f });
    }
    acc.by.settings.add(f);
  },
  retention(a, f, acc) {
    // One retention step; were two findings to ask for different periods, the longer keeps more.
    const had = acc.retention;
    acc.retention = !had || a.olderThanDays > had.days ? { days: a.olderThanDays, runs: a.runs, exact: a.exact } : had;
    acc.by.retention.add(f);
  },
  vacuum(a, f, acc) {
    for (const t of a.tables) acc.vacuum.add(t);
    acc.freeze ||= a.freeze;
    acc.by.vacuum.add(f);
  },
  manual(a, f, acc) {
    acc.manual.push({ finding: f, title: a.title, text: a.text, command: a.command });
  },
};

export function combine(findings: readonly Finding[], o: CombineOptions): Combined {
  const acc: Acc = {
    purge: new Map(),
    purgeRuns: 0,
    recreate: new Map(),
    settings: [],
    vacuum: new Set(),
    freeze: false,
    retention: null,
    manual: [],
    missing: new Map(),
    notes: [],
    by: Object.fromEntries(STEP_ORDER.map((k) => [k, new Set<FindingId>()])) as Acc['by'],
  };
  for (const f of findings) {
    for (const a of f.actions) (COMBINERS[a.kind] as Combiner<typeof a.kind>)(a as never, f.id, acc, o);
  }
  if ((acc.purge.size || acc.retention) && o.vacuumAfterPurge) {
    for (const t of AFTER_PURGE_TABLES) acc.vacuum.add(t);
    for (const f of [...acc.by.purge, ...acc.by.retention]) acc.by.vacuum.add(f);
  }
  const recreate = [...acc.recreate.keys()];
  const steps: SessionStep[] = [];
  const step = (kind: StepKind, s: Omit<SessionStep, 'kind' | 'findings'>) => steps.push({ kind, ...s, findings: [...acc.by[kind]] });
  const names = (m: Map<string, string>, ids: string[]) => ids.map((id) => m.get(id) ?? id);
  if (recreate.length) {
    step('pause', { title: 'Pause', detail: 'Pause the deployments whose schedules are recreated, so no scheduler pass races the change; Prefect drops their future runs.', items: names(acc.recreate, recreate), count: recreate.length, unit: 'deployments' });
  }
  if (acc.purge.size) {
    step('purge', {
      title: 'Purge',
      detail: 'Delete their past-due Scheduled and Late runs made by schedules, re-counted right before the delete, in short re-checking batches (with logs and artifacts).',
      items: [...acc.purge.values()],
      count: acc.purgeRuns,
      unit: 'runs',
    });
  }
  if (recreate.length) {
    step('recreate', { title: 'Recreate', detail: 'Write each schedule back anchored at now (rrules get a recent DTSTART with the same run times), every other field kept.', items: names(acc.recreate, recreate), count: recreate.length, unit: 'deployments' });
  }
  if (acc.settings.length) {
    step('settings', {
      title: 'Settings',
      detail: 'Save the settings as a new profile revision and write its export; they take effect when the server’s owner restarts it.',
      items: acc.settings.map((s) => `${s.name}=${s.value}`),
      count: acc.settings.length,
      unit: 'settings',
    });
  }
  if (recreate.length) {
    step('resume', { title: 'Resume', detail: 'Resume the deployments paused above; the scheduler gives them new runs within seconds.', items: names(acc.recreate, recreate), count: recreate.length, unit: 'deployments' });
  }
  if (acc.retention) {
    const r = acc.retention;
    step('retention', {
      title: 'Retention',
      detail: `Delete the finished runs that ended more than ${r.days} days ago with their states, task runs, logs, artifacts and inputs, planned again right before the delete, in short re-checking batches (Retention's plan and job).`,
      items: [`finished more than ${r.days} days ago`],
      count: r.runs,
      unit: 'runs',
    });
  }
  if (acc.vacuum.size) {
    step('vacuum', {
      title: 'Vacuum',
      detail: `${acc.freeze ? 'VACUUM (FREEZE, ANALYZE)' : 'VACUUM (ANALYZE)'} the tables, so the space of deleted rows is reused and the planner sees the new row counts. It takes no lock that stops Prefect.`,
      items: [...acc.vacuum],
      count: acc.vacuum.size,
      unit: 'tables',
    });
  }
  return {
    steps,
    settings: acc.settings,
    deployments: { pauseResume: recreate, purge: [...acc.purge.keys()], recreate },
    vacuum: { tables: [...acc.vacuum], freeze: acc.freeze },
    retentionDays: acc.retention?.days ?? null,
    manual: acc.manual,
    missingInputs: [...acc.missing.values()],
    notes: acc.notes,
  };
}
