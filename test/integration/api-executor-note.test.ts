/**
 * The API executor's plan says why it is used (issue #13 item 9): on a connection without a database
 * it is the only way; on one with a database the user chose it, and the plan must not claim there is
 * no database access. Plans only: nothing is deleted.
 */
import { afterAll, describe, expect, inject, it } from 'vitest';
import { pgConnection, tempContext } from './support/purge-fixture';

const h = inject('harness');
const env = tempContext();
afterAll(() => env.dispose());

describe('API executor plan notes', () => {
  const filter = { olderThan: '30d', stateNames: ['Scheduled', 'Late'] as Array<'Scheduled' | 'Late'> };

  it('chosen on a connection that has a database: says it was chosen', async () => {
    const plan = await env.ctx.purge.plan({ conn: pgConnection(h, { readOnly: true }), filter, executor: 'api' });
    expect(plan.executor).toBe('api');
    const note = plan.notes.find((n) => n.startsWith('API executor'))!;
    expect(note).toMatch(/chosen over this connection's database/);
    expect(note).not.toMatch(/no database access/);
  });

  it('on an API-only connection: says there is no database access', async () => {
    const plan = await env.ctx.purge.plan({ conn: { ...pgConnection(h, { readOnly: true }), db: { kind: 'none' } }, filter, executor: 'auto' });
    expect(plan.executor).toBe('api');
    expect(plan.notes.find((n) => n.startsWith('API executor'))).toMatch(/no database access on this connection/);
  });
});
