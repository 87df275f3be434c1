/** Old /admin/settings layouts read in the newest one (main/core/targets/admin-settings.ts). */
import { describe, expect, it } from 'vitest';
import { normalizeAdminSettings } from '../../main/core/targets/admin-settings';

describe('normalizeAdminSettings', () => {
  it('also puts 3.0 pool settings where 3.1+ keep them, and keeps the old keys', () => {
    const v30 = { server: { database: { sqlalchemy_pool_size: 20, sqlalchemy_max_overflow: null, timeout: 10 } }, experimental_warn: true };
    const out = normalizeAdminSettings(v30);
    expect(out.server.database).toMatchObject({ sqlalchemy_pool_size: 20, timeout: 10, sqlalchemy: { pool_size: 20, max_overflow: null } });
    expect(out).toMatchObject({ experiments: { warn: true }, experimental_warn: true });
    // The input is not changed.
    expect(v30.server.database).not.toHaveProperty('sqlalchemy');
  });

  it('moves 3.4-3.6 experiments.plugins and pre-3.6 runner.heartbeat_frequency', () => {
    const out = normalizeAdminSettings({ experiments: { plugins: { enabled: false, allow: null } }, runner: { heartbeat_frequency: 60 } }) as Record<string, unknown>;
    expect(out.plugins).toEqual({ enabled: false, allow: null });
    expect(out.flows).toEqual({ heartbeat_frequency: 60 });
  });

  it('never overwrites a value the server reports at the newest place', () => {
    const out = normalizeAdminSettings({ server: { database: { sqlalchemy_pool_size: 5, sqlalchemy: { pool_size: 7 } } } });
    expect(out.server.database.sqlalchemy.pool_size).toBe(7);
  });

  it('leaves anything that is not a settings object alone', () => {
    expect(normalizeAdminSettings(null)).toBeNull();
    expect(normalizeAdminSettings('x')).toBe('x');
  });
});
