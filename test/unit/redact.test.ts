/**
 * The redactor is linear (issue #12, item 6: the old URL-password regex took 10.6 s on 100,000
 * characters). Work is bounded by counting what the scanners visit, never by timing; and the
 * scanners mask exactly what the regular expressions they replaced masked.
 */
import { describe, expect, it } from 'vitest';
import { redact, redactMeasured } from '../../main/core/log/redact';

/** The patterns as they were (the reference for what must be masked), for small inputs only. */
const REFERENCE: Array<[RegExp, string]> = [
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]+)@/gi, '$1:***@'],
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/g, '$1 ***'],
  [/\b([A-Z0-9_]*(?:PASSWORD|API_KEY|AUTH_STRING|SECRET|TOKEN)[A-Z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, '$1$2***'],
  [/\bpnu_[A-Za-z0-9]{20,}\b/g, '***'],
];
const reference = (text: string) => REFERENCE.reduce((s, [re, rep]) => s.replace(re, rep), text);

// Deterministic pseudo-random pieces that exercise every scanner's edges.
const PIECES = [
  'postgresql://', 'http://', 'x+y.z-1://', '1://', '://', 'user', ':', 'p@ss', '@', '/', '?', '#', ' ', '\t', '\n',
  'Basic', 'Bearer', 'Basically', ' dXNlcjpwYXNz', 'PASSWORD', 'pgpassword', 'api_key', 'AUTH_STRING', 'secret', 'Token',
  '=', ': ', '"', "'", 'quoted value', 'pnu_', 'abcdefghij0123456789', 'KLMNOP', '_', 'a', 'Z', '9', '-', '.', '\u00a0', 'é',
];
function randomText(seed: number, pieces: number): string {
  let x = seed;
  const next = () => ((x = (x * 1103515245 + 12345) % 2147483648), x);
  let s = '';
  for (let i = 0; i < pieces; i++) s += PIECES[next() % PIECES.length];
  return s;
}

describe('redact', () => {
  it('masks the common shapes', () => {
    expect(redact('postgresql://prefect:hunter2@db:5432/prefect')).toBe('postgresql://prefect:***@db:5432/prefect');
    expect(redact('Authorization: Basic YWRtaW46czNjcmV0')).toBe('Authorization: Basic ***');
    expect(redact('PGPASSWORD=hunter2 next')).toBe('PGPASSWORD=*** next');
    expect(redact('prefect_api_key: "a b c" rest')).toBe('prefect_api_key: *** rest');
    expect(redact('key pnu_abcdefghijABCDEFGHIJ0123 end')).toBe('key *** end');
  });

  it('masks exactly what the regular expressions it replaced masked (2,000 generated inputs)', () => {
    for (let seed = 1; seed <= 2000; seed++) {
      const text = randomText(seed, 1 + (seed % 40));
      expect(redact(text), JSON.stringify(text)).toBe(reference(text));
    }
  });

  // Inputs that made the old patterns backtrack, and ones that hit each scanner's slow paths.
  const ADVERSARIAL: Record<string, (n: number) => string> = {
    'one long scheme-like word': (n) => 'a'.repeat(n),
    'repeated "a://" with no @': (n) => 'a://b:'.repeat(n / 6),
    'user:pass without @': (n) => 'x://' + 'u:'.repeat(n / 2),
    'repeated Basic with spaces': (n) => 'Basic      '.repeat(n / 11),
    'a long word holding PASSWORD': (n) => 'PASSWORD'.repeat(n / 8),
    'PASSWORD= with an unclosed quote': (n) => 'PASSWORD="x '.repeat(n / 12),
    'pnu_ prefixes': (n) => 'pnu_pnu_'.repeat(n / 8),
    'spaces then =': (n) => 'TOKEN' + ' '.repeat(n),
  };

  for (const [name, make] of Object.entries(ADVERSARIAL)) {
    it(`does linear work on 100,000+ characters: ${name}`, () => {
      const big = make(120_000);
      const small = make(12_000);
      expect(big.length).toBeGreaterThanOrEqual(100_000);
      const b = redactMeasured(big);
      const s = redactMeasured(small);
      // A generous bound: at most 12 visits per character, and 10x the input costs at most ~12x the work
      // (a quadratic scan would cost 100x).
      expect(b.steps).toBeLessThanOrEqual(12 * big.length);
      expect(b.steps / Math.max(1, s.steps)).toBeLessThan(12 * (big.length / small.length) / 10 + 1);
    });
  }
});
