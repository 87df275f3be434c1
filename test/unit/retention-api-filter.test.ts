/** The API executor's FlowRunFilter: Prefect's vacuum predicate, stated for the REST API's quirks. */
import { describe, expect, it } from 'vitest';
import { apiNotes, inclusiveBefore, runFilter } from '../../main/core/retention/backend-api';
import type { ResolvedRetention } from '../../main/core/retention/types';

const r: ResolvedRetention = { cutoff: '2026-09-01T00:00:00.000Z', stateTypes: ['COMPLETED', 'FAILED'], deploymentIds: ['d1'], keepNewest: 0, eventsCutoff: null, orphans: false };

describe('retention API filter', () => {
  it('turns the strict cutoff into the inclusive before_ one microsecond earlier', () => {
    expect(inclusiveBefore('2026-09-01T00:00:00.000Z')).toBe('2026-08-31T23:59:59.999999Z');
    expect(inclusiveBefore('2026-09-01T10:20:30.457Z')).toBe('2026-09-01T10:20:30.456999Z');
  });

  it('states terminal, ended before the cutoff, top-level, chosen deployments, minus the kept runs', () => {
    expect(runFilter(r, { exclude: ['k1'] })).toEqual({
      state: { type: { any_: ['COMPLETED', 'FAILED'] } },
      end_time: { before_: '2026-08-31T23:59:59.999999Z', is_null_: false },
      parent_task_run_id: { is_null_: true },
      deployment_id: { any_: ['d1'] },
      id: { not_any_: ['k1'] },
    });
  });

  it('never combines id.any_ with id.not_any_, and drops the top-level and deployment terms for subflows', () => {
    const f = runFilter(r, { exclude: ['k1'], only: ['a', 'b'], topLevel: false });
    expect(f.id).toEqual({ any_: ['a', 'b'] });
    expect(f.parent_task_run_id).toBeUndefined();
    expect(f.deployment_id).toBeUndefined();
  });

  it('says which delete path the server gets and what the API cannot reach', () => {
    expect(apiNotes(true, '3.9.1')[0]).toMatch(/bulk_delete, at most 50 runs per call/);
    expect(apiNotes(false, '3.4.25')[0]).toMatch(/Prefect 3.4.25 has no POST \/flow_runs\/bulk_delete/);
    expect(apiNotes(true, null).join(' ')).toMatch(/Events cannot be deleted through the API/);
  });
});
