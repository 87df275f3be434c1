/**
 * The renderer formats numbers, plurals and times only through renderer/lib/format (the shared
 * standard of shared/text/format.ts). This greps every screen for the hand-made kinds that made
 * "1518" sit beside "1,518" and "1 schedules" happen (issue #13, item 12), and names the line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..', 'renderer');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return /\.(ts|tsx)$/.test(e.name) ? [p] : [];
  });
}

const RULES: Array<{ why: string; re: RegExp }> = [
  { why: 'locale-dependent number formatting (use formatCount/formatNumber)', re: /\.toLocaleString\(|new Intl\.NumberFormat/ },
  { why: 'hand-made plural (use plural/pluralWord)', re: /=== 1 \? '' : 's'|[!=]== 1 \? 's' : ''|> 1 \? 's' : ''/ },
  { why: 'hand-made percentage (use formatShare/formatProgress)', re: /\* 100\)[^;]*\}\s?%|Math\.(round|floor)\([^)]*\* 100\)/ },
  { why: 'hand-made date or time (use formatDateTime and friends, which name the zone)', re: /\.get(Hours|Minutes|Seconds|Date|Month|FullYear)\(\)|toLocale(Date|Time)String\(|new Intl\.DateTimeFormat/ },
  { why: 'raw ISO time shown (use formatIsoWall/formatDateTime)', re: /\.replace\('T', ' '\)/ },
  { why: 'formatting imported around the renderer standard (import from renderer/lib/format)', re: /from '(\.\.\/)+shared\/text\/(bytes|format)'/ },
];

// The standard itself, and CSS widths computed from a fraction (geometry, not text).
const EXEMPT = [path.join(ROOT, 'lib', 'format.ts')];

describe('one formatting standard in the renderer', () => {
  it('no screen formats numbers, plurals or times by hand', () => {
    const offences: string[] = [];
    for (const f of files(ROOT)) {
      if (EXEMPT.includes(f)) continue;
      fs.readFileSync(f, 'utf8')
        .split('\n')
        .forEach((line, i) => {
          if (/style=|width:/.test(line)) return;
          for (const r of RULES) if (r.re.test(line)) offences.push(`${path.relative(ROOT, f)}:${i + 1}: ${r.why}\n    ${line.trim()}`);
        });
    }
    expect(offences, offences.join('\n')).toEqual([]);
  });
});
