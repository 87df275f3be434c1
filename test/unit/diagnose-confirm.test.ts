import { describe, expect, it } from 'vitest';
import { confirmationText, sessionConfirmation, type SessionStep } from '../../shared/domain/diagnose';

const step = (kind: SessionStep['kind'], count: number, unit: SessionStep['unit']): SessionStep => ({ kind, title: kind, detail: '', items: [], count, unit, findings: [] });

describe('what a Diagnose session is confirmed by', () => {
  it('is the runs its purge and retention steps delete, when it deletes any', () => {
    const steps = [step('pause', 12, 'deployments'), step('purge', 1_200, 'runs'), step('recreate', 12, 'deployments'), step('retention', 55_000, 'runs'), step('vacuum', 3, 'tables')];
    expect(sessionConfirmation(steps, 4)).toEqual({ count: 56_200, unit: 'runs' });
    expect(confirmationText({ confirmCount: 56_200, confirmUnit: 'runs' })).toBe('56,200 runs this session deletes (as planned now)');
  });

  it('is the findings it fixes when it deletes nothing (settings, or a purge that found nothing)', () => {
    expect(sessionConfirmation([step('settings', 3, 'settings')], 2)).toEqual({ count: 2, unit: 'findings' });
    expect(sessionConfirmation([step('purge', 0, 'runs'), step('vacuum', 1, 'tables')], 1)).toEqual({ count: 1, unit: 'findings' });
    expect(confirmationText({ confirmCount: 1, confirmUnit: 'findings' })).toBe('1 finding this session fixes');
  });

  it('reads plans saved before it counted runs as counting findings', async () => {
    const { SessionPlanSchema } = await import('../../shared/domain/diagnose');
    const shape = SessionPlanSchema.shape.confirmUnit;
    expect(shape.parse(undefined)).toBe('findings');
  });
});
