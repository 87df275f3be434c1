/**
 * Secrets never reach a log, an error message, an export or the audit log. Everything that formats
 * text for those sinks passes through `redact`. Known secrets (registered when they are decrypted)
 * are replaced verbatim; URL passwords, Authorization headers, API keys and auth strings are masked by
 * pattern, so a secret we were never told about is still caught in the common shapes.
 *
 * The patterns are hand-written scanners, not regular expressions: the regex this replaced
 * (`scheme://user:password@`) backtracked over every start position and took 10 s on a 100,000-
 * character line without "://" (issue #12, item 6). Each scanner below visits every character a
 * bounded number of times, and counts what it visits, so a test can bound the work
 * (test/unit/redact.test.ts) instead of timing it.
 */
const MASK = '***';
const known = new Set<string>();

/** Register a secret value so any later occurrence is masked (values shorter than 4 chars are ignored). */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 4) known.add(value);
}

/** The masked text and the characters the scanners visited (the work, for tests). */
export interface Redacted {
  text: string;
  steps: number;
}

interface Work {
  steps: number;
}

export function redact(text: string): string {
  return redactMeasured(text).text;
}

export function redactMeasured(text: string): Redacted {
  const w: Work = { steps: 0 };
  let out = text;
  for (const secret of known) {
    // String search in V8 is linear in the text (Boyer-Moore-Horspool); counted as one pass.
    w.steps += out.length;
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  out = maskUrlPasswords(out, w);
  out = maskAuthHeaders(out, w);
  out = maskKeyValues(out, w);
  out = maskCloudKeys(out, w);
  return { text: out, steps: w.steps };
}

// ---- character classes (ASCII, as the regular expressions had them; \s as JavaScript defines it)

function isWord(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
function isSpace(c: number): boolean {
  return (
    (c >= 9 && c <= 13) ||
    c === 32 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}
/** [a-z0-9+.-], case-insensitive: a URL scheme. */
function isSchemeChar(c: number): boolean {
  return isAlnum(c) || c === 43 || c === 46 || c === 45;
}
/** [A-Za-z0-9._~+/=-]: a base64 / token character. */
function isTokenChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 126 || c === 43 || c === 47 || c === 61 || c === 45;
}

/** indexOf that counts the characters it passes. */
function find(s: string, needle: string, from: number, w: Work): number {
  const at = s.indexOf(needle, from);
  w.steps += (at < 0 ? s.length : at + needle.length) - from;
  return at;
}

/** `scheme://user:password@host` -> `scheme://user:***@host`. */
function maskUrlPasswords(s: string, w: Work): string {
  const n = s.length;
  const parts: string[] = [];
  let last = 0;
  let from = 0;
  for (;;) {
    const k = find(s, '://', from, w);
    if (k < 0) break;
    from = k + 3;
    // A scheme: a run of [a-z0-9+.-] right before "://" with a letter in it. The runs before two
    // different "://" never overlap (a run holds no ':' or '/'), so the walks back stay linear.
    let hasLetter = false;
    for (let j = k - 1; j >= last && isSchemeChar(s.charCodeAt(j)); j--) {
      w.steps++;
      if (isLetter(s.charCodeAt(j))) hasLetter = true;
    }
    if (!hasLetter) continue;
    // user: [^:/?#@\s]*, then ':', then password: [^@/\s]+, then '@'. Both stop at '/', so they never
    // reach the next "://".
    let p = k + 3;
    while (p < n) {
      const c = s.charCodeAt(p);
      if (c === 58 || c === 47 || c === 63 || c === 35 || c === 64 || isSpace(c)) break;
      p++;
      w.steps++;
    }
    if (p >= n || s.charCodeAt(p) !== 58) continue;
    let q = p + 1;
    while (q < n) {
      const c = s.charCodeAt(q);
      if (c === 64 || c === 47 || isSpace(c)) break;
      q++;
      w.steps++;
    }
    if (q === p + 1 || q >= n || s.charCodeAt(q) !== 64) continue;
    parts.push(s.slice(last, p + 1), MASK);
    last = q;
    from = q + 1;
  }
  if (parts.length === 0) return s;
  parts.push(s.slice(last));
  return parts.join('');
}

/** `Authorization: Basic xxx` / `Bearer xxx` -> `Basic ***`. */
function maskAuthHeaders(s: string, w: Work): string {
  const n = s.length;
  const parts: string[] = [];
  let last = 0;
  let from = 0;
  for (;;) {
    const k = find(s, 'B', from, w);
    if (k < 0) break;
    from = k + 1;
    if (k > 0 && isWord(s.charCodeAt(k - 1))) continue;
    const word = s.startsWith('Basic', k) ? 'Basic' : s.startsWith('Bearer', k) ? 'Bearer' : null;
    if (!word) continue;
    let p = k + word.length;
    while (p < n && isSpace(s.charCodeAt(p))) {
      p++;
      w.steps++;
    }
    if (p === k + word.length) continue;
    let t = p;
    while (t < n && isTokenChar(s.charCodeAt(t))) {
      t++;
      w.steps++;
    }
    if (t === p) continue;
    parts.push(s.slice(last, k), word, ' ', MASK);
    last = t;
    from = t;
  }
  if (parts.length === 0) return s;
  parts.push(s.slice(last));
  return parts.join('');
}

const KEYWORDS = ['PASSWORD', 'API_KEY', 'AUTH_STRING', 'SECRET', 'TOKEN'];

/** `PGPASSWORD=x`, `api_key: x`, `AUTH_STRING="x y"` -> the value masked (case-insensitive names). */
function maskKeyValues(s: string, w: Work): string {
  const n = s.length;
  const parts: string[] = [];
  let last = 0;
  // The next '"' / "'" at or after a position; positions only grow, so each is searched once.
  const quoteCache = new Map<string, number>();
  const nextQuote = (q: string, at: number): number => {
    const cached = quoteCache.get(q);
    if (cached !== undefined && (cached === -1 || cached >= at)) return cached;
    const found = find(s, q, at, w);
    quoteCache.set(q, found);
    return found;
  };
  let i = 0;
  while (i < n) {
    w.steps++;
    if (!isWord(s.charCodeAt(i)) || (i > 0 && isWord(s.charCodeAt(i - 1)))) {
      i++;
      continue;
    }
    // A whole word (the name): it must contain one of the keywords.
    let j = i;
    while (j < n && isWord(s.charCodeAt(j))) {
      j++;
      w.steps++;
    }
    const name = s.slice(i, j).toUpperCase();
    w.steps += j - i;
    if (!KEYWORDS.some((kw) => name.includes(kw))) {
      i = j;
      continue;
    }
    let p = j;
    while (p < n && isSpace(s.charCodeAt(p))) p++;
    const sep = s.charCodeAt(p);
    if (p >= n || (sep !== 61 && sep !== 58)) {
      i = j;
      continue;
    }
    p++;
    while (p < n && isSpace(s.charCodeAt(p))) p++;
    w.steps += p - j;
    if (p >= n) {
      i = j;
      continue;
    }
    // The value: "…" or '…' when closed, else everything up to the next white space.
    let end = -1;
    const open = s[p];
    if (open === '"' || open === "'") {
      const close = nextQuote(open, p + 1);
      if (close >= 0) end = close + 1;
    }
    if (end < 0) {
      end = p;
      while (end < n && !isSpace(s.charCodeAt(end))) {
        end++;
        w.steps++;
      }
    }
    parts.push(s.slice(last, p), MASK);
    last = end;
    i = end;
  }
  if (parts.length === 0) return s;
  parts.push(s.slice(last));
  return parts.join('');
}

/** Prefect Cloud API keys: `pnu_` and at least 20 letters or digits, as a whole word. */
function maskCloudKeys(s: string, w: Work): string {
  const n = s.length;
  const parts: string[] = [];
  let last = 0;
  let from = 0;
  for (;;) {
    const k = find(s, 'pnu_', from, w);
    if (k < 0) break;
    from = k + 1;
    if (k > 0 && isWord(s.charCodeAt(k - 1))) continue;
    let p = k + 4;
    while (p < n && isAlnum(s.charCodeAt(p))) {
      p++;
      w.steps++;
    }
    if (p - (k + 4) < 20 || (p < n && isWord(s.charCodeAt(p)))) continue;
    parts.push(s.slice(last, k), MASK);
    last = p;
    from = p;
  }
  if (parts.length === 0) return s;
  parts.push(s.slice(last));
  return parts.join('');
}

/** Deep-redact a JSON-like value (for audit details and exports). */
export function redactValue<T>(value: T): T {
  if (typeof value === 'string') return redact(value) as T;
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = /password|api_?key|auth_?string|secret|token/i.test(k) && typeof v === 'string' ? MASK : redactValue(v);
    }
    return out as T;
  }
  return value;
}
