/**
 * The pure half of the capability probe: facts from a release number, request shapes from an OpenAPI
 * document, and the degradations they imply. Documents here are minimal hand-written fragments in the
 * shape FastAPI generates; the real documents of every Prefect line are checked by
 * test/integration/capabilities.test.ts against the running servers.
 */
import { describe, expect, it } from 'vitest';
import { capabilitiesFromVersion, degradations, degradationsFor, SINCE, withOpenApi } from '../../main/core/targets/capability-facts';

/** A document with POST /flow_runs/count (filter fields) and, optionally, bulk delete and schedule PATCH. */
function doc(opts: { filter: string[]; bulk?: boolean; scheduleFields?: string[] }): Record<string, unknown> {
  const props = (names: string[]) => Object.fromEntries(names.map((n) => [n, { anyOf: [{ type: 'object' }, { type: 'null' }] }]));
  const paths: Record<string, unknown> = {
    '/flow_runs/count': {
      post: {
        requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/Body_count' } } } },
      },
    },
  };
  if (opts.bulk) paths['/flow_runs/bulk_delete'] = { post: {} };
  if (opts.scheduleFields) {
    paths['/deployments/{id}/schedules/{schedule_id}'] = {
      patch: { requestBody: { content: { 'application/json': { schema: { $ref: '#/components/schemas/DeploymentScheduleUpdate' } } } } },
    };
  }
  return {
    paths,
    components: {
      schemas: {
        Body_count: { properties: { flow_runs: { anyOf: [{ $ref: '#/components/schemas/FlowRunFilter' }, { type: 'null' }] } } },
        FlowRunFilter: { properties: props(opts.filter) },
        DeploymentScheduleUpdate: { properties: props(opts.scheduleFields ?? []) },
      },
    },
  };
}

describe('capabilities from the release number', () => {
  it('knows each line', () => {
    const v30 = capabilitiesFromVersion('3.0.11');
    expect(v30.filters.flowRunCreatedBy).toBe(false);
    expect(v30.endpoints.flowRunsBulkDelete).toBe(false);
    expect([...v30.schedules.fields].sort()).toEqual(['active', 'catchup', 'max_active_runs', 'max_scheduled_runs', 'schedule']);
    expect(v30.schedules).toMatchObject({ runsAttributed: false, runsKeyedBySchedule: false, updatesKeepPastDue: false, perScheduleSelection: false, injectsDtstart: false });

    const v34 = capabilitiesFromVersion('3.4.25');
    expect([...v34.schedules.fields].sort()).toEqual(['active', 'max_scheduled_runs', 'parameters', 'schedule', 'slug']);
    expect(v34.schedules).toMatchObject({ runsAttributed: true, runsKeyedBySchedule: true, updatesKeepPastDue: true, perScheduleSelection: false, loopSecondsHonoured: false });
    expect(v30.schedules.loopSecondsHonoured).toBe(true);
    expect(v34.filters.flowRunCreatedBy).toBe(false);

    const v39 = capabilitiesFromVersion('3.9.1');
    expect(v39.filters.flowRunCreatedBy && v39.endpoints.flowRunsBulkDelete && v39.schedules.perScheduleSelection && v39.schedules.injectsDtstart).toBe(true);
    expect(v39.schedules.fields.has('replaces')).toBe(true);
  });

  it('switches exactly at the release that changed each behaviour', () => {
    expect(capabilitiesFromVersion('3.6.12').filters.flowRunCreatedBy).toBe(false);
    expect(capabilitiesFromVersion(SINCE.flowRunCreatedByFilter).filters.flowRunCreatedBy).toBe(true);
    expect(capabilitiesFromVersion('3.6.15').endpoints.flowRunsBulkDelete).toBe(false);
    expect(capabilitiesFromVersion('3.6.16').endpoints.flowRunsBulkDelete).toBe(true);
    expect(capabilitiesFromVersion('3.3.3').schedules.updatesKeepPastDue).toBe(false);
    expect(capabilitiesFromVersion('3.3.4').schedules.updatesKeepPastDue).toBe(true);
    expect(capabilitiesFromVersion('3.2.1').schedules).toMatchObject({ runsAttributed: true, runsKeyedBySchedule: false });
    expect(capabilitiesFromVersion('3.6.18').schedules.perScheduleSelection).toBe(false);
    expect(capabilitiesFromVersion('3.6.19').schedules.perScheduleSelection).toBe(true);
    // loop_seconds ignored from 3.1.13 until 3.6.7.
    expect(capabilitiesFromVersion('3.1.12').schedules.loopSecondsHonoured).toBe(true);
    expect(capabilitiesFromVersion('3.1.13').schedules.loopSecondsHonoured).toBe(false);
    expect(capabilitiesFromVersion('3.6.6').schedules.loopSecondsHonoured).toBe(false);
    expect(capabilitiesFromVersion('3.6.7').schedules.loopSecondsHonoured).toBe(true);
    // Pre-releases of a release do not have it yet; dev builds after it do.
    expect(capabilitiesFromVersion('3.6.16rc1').endpoints.flowRunsBulkDelete).toBe(false);
    expect(capabilitiesFromVersion('3.8.4.dev6').endpoints.flowRunsBulkDelete).toBe(true);
  });

  it('assumes the newest server when the version is unknown (Prefect Cloud)', () => {
    const c = capabilitiesFromVersion(null);
    expect(c.source).toBe('newest');
    expect(degradations(c)).toEqual([]);
  });
});

describe('capabilities from the OpenAPI document', () => {
  it('takes request shapes from what the server accepts, behaviour from the release', () => {
    // A 3.4 server with a backported created_by filter and bulk delete is judged by its document.
    const c = withOpenApi(capabilitiesFromVersion('3.4.25'), doc({ filter: ['id', 'state', 'created_by'], bulk: true, scheduleFields: ['active', 'schedule', 'slug'] }));
    expect(c.source).toBe('openapi');
    expect(c.filters.flowRunCreatedBy).toBe(true);
    expect(c.endpoints.flowRunsBulkDelete).toBe(true);
    expect([...c.schedules.fields].sort()).toEqual(['active', 'schedule', 'slug']);
    expect(c.schedules.perScheduleSelection).toBe(false);
  });

  it('sees what a newer number would promise but the server does not accept', () => {
    const c = withOpenApi(capabilitiesFromVersion('3.9.1'), doc({ filter: ['id', 'state'] }));
    expect(c.filters.flowRunCreatedBy).toBe(false);
    expect(c.endpoints.flowRunsBulkDelete).toBe(false);
    // No schedule PATCH in the document: the release decides the fields.
    expect(c.schedules.fields.has('parameters')).toBe(true);
  });

  it('ignores a document that is not a Prefect API description', () => {
    const base = capabilitiesFromVersion('3.4.25');
    expect(withOpenApi(base, { openapi: '3.1.0', paths: {} })).toBe(base);
    expect(withOpenApi(base, 'not json')).toBe(base);
    expect(withOpenApi(base, null)).toBe(base);
  });
});

describe('degradations', () => {
  it('names each gap of an old server once, with the release that closed it', () => {
    const d = degradations(capabilitiesFromVersion('3.0.11'));
    expect(d.map((x) => x.feature).sort()).toEqual([
      'inspect.schedule-gone',
      'purge.bulk-delete',
      'schedules.run-attribution',
      'schedules.scheduler-selection',
      'schedules.slug-parameters',
      'schedules.update-deletes-backlog',
    ]);
    for (const x of d) expect(x.reason).toMatch(/Prefect 3\.0\.11\b.*Prefect 3\.\d+\.\d+/);
  });

  it('reports client-side schedule filtering where runs are attributed but not filterable', () => {
    const d = degradationsFor(capabilitiesFromVersion('3.4.25'), 'schedules');
    expect(d.map((x) => x.feature).sort()).toEqual(['schedules.created-by-filter', 'schedules.scheduler-loop', 'schedules.scheduler-selection']);
    expect(degradationsFor(capabilitiesFromVersion('3.4.25'), 'purge').map((x) => x.feature)).toEqual(['purge.bulk-delete']);
  });

  it('has nothing to report for the newest line', () => {
    expect(degradations(capabilitiesFromVersion('3.9.1'))).toEqual([]);
  });
});
