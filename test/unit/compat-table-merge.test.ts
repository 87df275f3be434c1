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
