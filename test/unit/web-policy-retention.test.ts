/** Local web mode never lets a page name a path on this machine for a retention's export (as for purge). */
import { expect, it } from 'vitest';
import { webRefusal } from '../../main/transport/web-policy';

it('refuses retention.execute with an export path in web mode, and allows it without one', () => {
  const r = webRefusal('retention.execute', { planId: 'p', confirmCount: 3, exportFile: '/etc/passwd' });
  expect(r?.code).toBe('FORBIDDEN');
  expect(r?.hint).toMatch(/housekeeper retention --export/);
  expect(webRefusal('retention.execute', { planId: 'p', confirmCount: 3 })).toBeNull();
});
