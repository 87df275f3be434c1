/**
 * The Retention form's state and how it becomes the contract's RetentionFilter. The form keeps what
 * the admin typed (strings); the service validates it (bad periods, no state picked) and answers with
 * a coded error, so the screen and the CLI refuse the same inputs with the same words.
 */
import { TERMINAL_STATE_TYPES, type RetentionFilterInput, type TerminalStateType } from '../../../shared/domain/retention';

export const STATE_LABEL: Record<TerminalStateType, string> = { COMPLETED: 'Completed', FAILED: 'Failed', CANCELLED: 'Cancelled', CRASHED: 'Crashed' };

export interface RetentionForm {
  olderThan: string;
  states: Record<TerminalStateType, boolean>;
  /** Deployment names ("flow/deployment"). Empty: every run. */
  deployments: string[];
  /** Digits as typed; empty means 0. */
  keepNewest: string;
  events: boolean;
  /** Empty: the same period as the runs. */
  eventsOlderThan: string;
  orphans: boolean;
}

/** Prefect's own defaults: db_vacuum's 90-day retention_period, every terminal state. */
export const INITIAL_FORM: RetentionForm = {
  olderThan: '90d',
  states: { COMPLETED: true, FAILED: true, CANCELLED: true, CRASHED: true },
  deployments: [],
  keepNewest: '0',
  events: true,
  eventsOlderThan: '',
  orphans: false,
};

export function chosenStates(f: Pick<RetentionForm, 'states'>): TerminalStateType[] {
  return TERMINAL_STATE_TYPES.filter((s) => f.states[s]);
}

export function toRetentionFilter(f: RetentionForm): RetentionFilterInput {
  const keep = f.keepNewest.trim() === '' ? 0 : Number(f.keepNewest);
  const eventsOlderThan = f.eventsOlderThan.trim();
  return {
    olderThan: f.olderThan,
    stateTypes: chosenStates(f),
    deployments: f.deployments,
    // A non-number goes through as NaN on purpose: the contract refuses it with a coded error.
    keepNewest: Number.isInteger(keep) ? keep : Number.NaN,
    events: f.events,
    ...(f.events && eventsOlderThan ? { eventsOlderThan } : {}),
    orphans: f.orphans,
  };
}

/** The one-line summary of what the form asks for, shown above the plan button. */
export function formSummary(f: RetentionForm): string {
  const states = chosenStates(f);
  const stateText = states.length === TERMINAL_STATE_TYPES.length ? 'every finished state' : states.length === 0 ? 'no state (pick one)' : states.map((s) => STATE_LABEL[s]).join(', ');
  const deps = f.deployments.length === 0 ? 'all deployments' : f.deployments.length === 1 ? `deployment ${f.deployments[0]}` : `${f.deployments.length} deployments`;
  const keep = Number(f.keepNewest || '0') > 0 ? `, keeping the newest ${Number(f.keepNewest)} of each deployment` : '';
  const events = f.events ? `; events older than ${f.eventsOlderThan.trim() || f.olderThan.trim() || '?'}` : '; events kept';
  return `Finished runs older than ${f.olderThan.trim() || '?'} (${stateText}, ${deps}${keep})${events}.`;
}
