import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { mergedReport } from '../harness/compat-table';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-compat-merge-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const file = (name: string, status: 'passed' | 'failed') => ({ name: `/repo/test/integration/${name}`, status, assertionResults: [{ ancestorTitles: [], title: 't', status }] });
const write = (f: string, results: unknown[]) => fs.writeFileSync(path.join(dir, f), JSON.stringify({ testResults: results }));

describe('compat table: part runs laid over a line\'s full run', () => {
  it('keeps each test file\'s newest result and names the re-run files', async () => {
    write('3.2.15.json', [file('a.test.ts', 'failed'), file('b.test.ts', 'passed'), file('c.test.ts', 'failed')]);
    write('3.2.15.part-100.json', [file('a.test.ts', 'failed'), file('c.test.ts', 'passed')]);
    write('3.2.15.part-200.json', [file('a.test.ts', 'passed')]);
    write('3.3.7.part-150.json', [file('b.test.ts', 'failed')]);
    const all = fs.readdirSync(dir);
    const { report, rerun } = await mergedReport(dir, '3.2.15', all);
    const status = Object.fromEntries(report.testResults.map((t) => [path.basename(t.name), t.status]));
    expect(status).toEqual({ 'a.test.ts': 'passed', 'b.test.ts': 'passed', 'c.test.ts': 'passed' });
    expect(rerun).toEqual(['a.test.ts', 'c.test.ts']);
  });

  it('a line with only part runs is those parts', async () => {
    const { report, rerun } = await mergedReport(dir, '3.3.7', fs.readdirSync(dir));
    expect(report.testResults.map((t) => t.status)).toEqual(['failed']);
    expect(rerun).toEqual(['b.test.ts']);
  });
});

describe('compat table: a feature whose tests did not run on a line', () => {
  it('is "not run" without the line\'s detours; one that ran carries them', async () => {
    const { lineResult } = await import('../harness/compat-table');
    const report = { testResults: [{ name: '/repo/test/integration/purge-sqlite-api.test.ts', status: 'passed', assertionResults: [{ ancestorTitles: ['purge through the Prefect API (no database access)'], title: 't', status: 'passed' as const }] }] };
    const caps = { version: '3.1.15', source: 'openapi', degraded: [{ feature: 'purge.bulk-delete', reason: 'r' }] };
    const r = lineResult('3.1.15', null, report, caps);
    expect(r.features['purge-api']).toMatchObject({ status: 'degraded', degraded: ['purge.bulk-delete'] });
    expect(r.features.retention).toMatchObject({ status: 'not run', degraded: [] });
  });
});

describe('harness venv pins', () => {
  it('pins SQLAlchemy below 2.1 on the 3.8 line only', async () => {
    const { pinsFor } = await import('../harness/venv');
    expect(pinsFor('3.8.8')).toEqual(['sqlalchemy[asyncio]<2.1']);
    expect(pinsFor('3.9.1')).toEqual([]);
    expect(pinsFor('3.7.8')).toEqual([]);
  });
});
