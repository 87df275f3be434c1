/**
 * SECURITY: text that reaches a terminal or is stored as a name must not carry control characters.
 * A deployment named "\x1b]0;pwned\x07" retitles the terminal that prints it; CR rewrites the line
 * already shown; bidi overrides (U+202E) make "exe.txt" read as "txt.exe" (issue #12, item 5).
 *
 * - Names Housekeeper stores (connections, profiles, …) refuse them (`hasControlChars`).
 * - Everything the CLI prints from servers or users is escaped (`escapeControls`), so the bytes
 *   stay visible as \x1b, \r, \u202e instead of acting on the terminal.
 * Pure, shared by main (store, CLI) and the renderer's forms.
 */

// C0 controls, DEL, C1 controls, LRM/RLM, line/paragraph separators, bidi embeddings, overrides and
// isolates, and the BOM.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/;
// eslint-disable-next-line no-control-regex
const CONTROL_ALL = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;
// The same set without TAB and LF, for multi-line text whose own line breaks are wanted.
// eslint-disable-next-line no-control-regex
const CONTROL_KEEP_LINES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function hasControlChars(text: string): boolean {
  return CONTROL.test(text);
}

function escapeOne(ch: string): string {
  const code = ch.charCodeAt(0);
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Control characters as visible escapes (ESC -> "\x1b", U+202E -> "\u202e"). With `keepLines`, LF
 * and TAB stay (text that is meant to span lines); a lone CR never does.
 */
export function escapeControls(text: string, opts: { keepLines?: boolean } = {}): string {
  return text.replace(opts.keepLines ? CONTROL_KEEP_LINES : CONTROL_ALL, escapeOne);
}

/** A value quoted for an error message: escaped, and cut to `max` characters (a 100k name stays short). */
export function quoteForMessage(value: string, max = 40): string {
  const cut = value.length > max ? `${value.slice(0, max)}…` : value;
  const shown = `"${escapeControls(cut)}"`;
  return value.length > max ? `${shown} (${value.length.toLocaleString('en-US')} characters)` : shown;
}

/** A zod-friendly check message for names. */
export const NO_CONTROL_MESSAGE = 'Names cannot contain control characters (escape sequences, tabs, line breaks, bidi overrides)';
