/**
 * Secrets never reach a log, an error message, an export or the audit log. Everything that formats
 * text for those sinks passes through `redact`. Known secrets (registered when they are decrypted)
 * are replaced verbatim; URL passwords, Authorization headers, API keys and auth strings are masked by
 * pattern, so a secret we were never told about is still caught in the common shapes.
 */
const MASK = '***';
const known = new Set<string>();

/** Register a secret value so any later occurrence is masked (values shorter than 4 chars are ignored). */
export function registerSecret(value: string | null | undefined): void {
  if (value && value.length >= 4) known.add(value);
}

const PATTERNS: Array<[RegExp, string]> = [
  // scheme://user:password@host  ->  scheme://user:***@host
  [/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]+)@/gi, `$1:${MASK}@`],
  // Authorization: Basic xxx / Bearer xxx
  [/\b(Basic|Bearer)\s+[A-Za-z0-9._~+/=-]+/g, `$1 ${MASK}`],
  // password=..., PGPASSWORD=..., api_key: ..., PREFECT_API_KEY=..., AUTH_STRING=...
  [/\b([A-Z0-9_]*(?:PASSWORD|API_KEY|AUTH_STRING|SECRET|TOKEN)[A-Z0-9_]*)(\s*[=:]\s*)("[^"]*"|'[^']*'|\S+)/gi, `$1$2${MASK}`],
  // Prefect Cloud API keys
  [/\bpnu_[A-Za-z0-9]{20,}\b/g, MASK],
];

export function redact(text: string): string {
  let out = text;
  for (const secret of known) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  for (const [re, rep] of PATTERNS) out = out.replace(re, rep);
  return out;
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
