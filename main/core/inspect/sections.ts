/**
 * A report is assembled section by section, and a failing section never takes the report down: it is
 * marked failed (or partial) with a note naming what went wrong and what to do. That is the rule for
 * a connection that drops mid-inspection, a role without permissions, a database that is not
 * Prefect's, or an older Prefect without some table.
 */
import { toAppError } from '../../../shared/errors';
import type { InspectNote, InspectSectionId, SectionStatus } from '../../../shared/domain/inspect';

export interface SectionOutcome<T> {
  value: T;
  partial?: boolean;
  /** Warnings (something is missing or wrong), optionally with the fix. */
  warnings?: Array<string | { message: string; hint?: string }>;
  /** Plain information. */
  infos?: Array<string | { message: string; hint?: string }>;
}

export class ReportBuilder {
  readonly sections: SectionStatus[] = [];
  readonly notes: InspectNote[] = [];

  note(section: InspectSectionId, level: 'info' | 'warn', message: string, hint?: string): void {
    this.notes.push(hint ? { section, level, message, hint } : { section, level, message });
  }

  unavailable(id: InspectSectionId, message: string): void {
    this.sections.push({ id, status: 'unavailable', durationMs: 0, message });
  }

  async run<T>(id: InspectSectionId, fn: () => Promise<SectionOutcome<T>>): Promise<T | null> {
    const t0 = Date.now();
    try {
      const out = await fn();
      for (const w of out.warnings ?? []) this.note(id, 'warn', typeof w === 'string' ? w : w.message, typeof w === 'string' ? undefined : w.hint);
      for (const i of out.infos ?? []) this.note(id, 'info', typeof i === 'string' ? i : i.message, typeof i === 'string' ? undefined : i.hint);
      this.sections.push({ id, status: out.partial ? 'partial' : 'ok', durationMs: Date.now() - t0, message: null });
      return out.value;
    } catch (e) {
      const ae = toAppError(e);
      this.sections.push({ id, status: 'failed', durationMs: Date.now() - t0, message: ae.message });
      this.note(id, 'warn', `${label(id)} failed: ${ae.message}`, ae.hint);
      return null;
    }
  }

  /** Sections never started because an earlier one failed. */
  skipped(ids: InspectSectionId[], why: string): void {
    for (const id of ids) this.sections.push({ id, status: 'failed', durationMs: 0, message: why });
  }
}

function label(id: InspectSectionId): string {
  return { server: 'Reading the server', space: 'Space', runs: 'Run health', orphans: 'Orphans', maintenance: 'Live maintenance' }[id];
}
