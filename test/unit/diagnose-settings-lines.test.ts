/**
 * messaging.in-memory-multi-process recommends only the Redis settings the server has: a Prefect 3.3
 * server has no causal ordering or lease storage setting (3.4) and no Docket (3.6), so its profile gets
 * the broker and cache alone, and the finding says what was left out and why. Settings shaped as each
 * line's GET /admin/settings returns them (prefect/settings/models/server/*.py of 3.3.7 and 3.9.1); the
 * pool settings as 3.0 (flat, unset by default) and 3.1+ (nested) report them.
 */
import { describe, expect, it } from 'vitest';
import { readServerSettings, runChecks, type Evidence } from '../../shared/domain/diagnose';
import { evidenceWith } from './support/evidence-fixture';

const memory = 'prefect.server.utilities.messaging.memory';
const v33 = { server: { events: { messaging_broker: memory, messaging_cache: memory }, database: { sqlalchemy: { pool_size: 5, max_overflow: 10 } } } };
const v39 = {
  server: {
    events: { messaging_broker: memory, messaging_cache: memory, causal_ordering: 'prefect.server.events.ordering.memory' },
    concurrency: { lease_storage: 'prefect.server.concurrency.lease_storage.memory' },
    docket: { url: 'memory://' },
    database: { sqlalchemy: { pool_size: 5, max_overflow: 10 } },
  },
};

function evidence(version: string, settings: unknown): Evidence {
  return evidenceWith({ version, database: 'postgres', settings: readServerSettings(settings), processes: { count: 2, basis: 'stated', evidence: 'given' } });
}

const finding = (e: Evidence) => runChecks(e).findings.find((f) => f.id === 'messaging.in-memory-multi-process')!;
const names = (e: Evidence) => {
  const a = finding(e).actions[0]!;
  return a.kind === 'settings' ? a.set.map((x) => x.name) : [];
};

describe('messaging finding per Prefect line', () => {
  it('on the newest line: broker, cache, ordering, leases and Docket, with nothing left out', () => {
    const e = evidence('3.9.1', v39);
    expect(names(e)).toEqual(['PREFECT_SERVER_EVENTS_MESSAGING_BROKER', 'PREFECT_SERVER_EVENTS_MESSAGING_CACHE', 'PREFECT_SERVER_EVENTS_CAUSAL_ORDERING', 'PREFECT_SERVER_CONCURRENCY_LEASE_STORAGE', 'PREFECT_SERVER_DOCKET_URL']);
    expect(finding(e).notes.join(' ')).not.toMatch(/left out/);
  });

  it('on 3.3: only the settings that server has, and the note names the rest', () => {
    const e = evidence('3.3.7', v33);
    expect(names(e)).toEqual(['PREFECT_SERVER_EVENTS_MESSAGING_BROKER', 'PREFECT_SERVER_EVENTS_MESSAGING_CACHE']);
    expect(finding(e).notes).toContain('Prefect 3.3.7 has no server.events.causal_ordering, server.concurrency.lease_storage, server.docket.url settings (they came in a later Prefect release): they are left out.');
  });
});

describe('pool settings per Prefect line', () => {
  it('reads 3.1+ nested pool settings', () => {
    expect(readServerSettings({ server: { database: { sqlalchemy: { pool_size: 7, max_overflow: 3 } } } })).toMatchObject({ poolSize: 7, maxOverflow: 3 });
  });
  it("reads 3.0's flat ones, unset meaning SQLAlchemy's QueuePool defaults", () => {
    expect(readServerSettings({ server: { database: { sqlalchemy_pool_size: null, sqlalchemy_max_overflow: null } } })).toMatchObject({ poolSize: 5, maxOverflow: 10 });
    expect(readServerSettings({ server: { database: { sqlalchemy_pool_size: 20, sqlalchemy_max_overflow: 0 } } })).toMatchObject({ poolSize: 20, maxOverflow: 0 });
  });
  it('says nothing when the server reports neither', () => {
    expect(readServerSettings({ server: {} })).toMatchObject({ poolSize: null, maxOverflow: null });
  });
});
