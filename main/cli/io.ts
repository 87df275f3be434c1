/**
 * CLI output: with --json exactly one JSON document goes to stdout (errors included, as
 * {ok:false,error}); everything for people (progress, warnings, errors) goes to stderr.
 *
 * SECURITY: text from servers and users (deployment names, error messages, file contents) reaches a
 * terminal only through here, with control characters shown as escapes (\x1b, \r, \u202e): a name
 * cannot retitle the terminal, recolour it or rewrite a line (issue #12, item 5). JSON escapes them too.
 */
import type { AppErrorData } from '../../shared/errors';
import { escapeControls } from '../../shared/domain/safe-text';
import { redact } from '../core/log/redact';

export interface Out {
  json: boolean;
  /** The command's result: a JSON document with --json, else readable text. */
  result(value: unknown, text: () => string): void;
  error(e: AppErrorData): void;
  info(line: string): void;
  /** Data written as is to stdout (an export), control characters escaped. */
  data(content: string): void;
}

/** For people: control characters escaped, line breaks and tabs kept. */
export function forTerminal(text: string): string {
  return escapeControls(text, { keepLines: true });
}

// JSON.stringify escapes C0 controls; these pass through as raw UTF-8 and some terminals act on them.
const JSON_UNSAFE = /[\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]/g;

export function toJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

export function createOut(json: boolean): Out {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? toJson({ ok: true, value }) + '\n' : forTerminal(text()) + '\n');
    },
    error(e) {
      if (json) process.stdout.write(toJson({ ok: false, error: e }) + '\n');
      const hint = e.hint ? `\n  ${forTerminal(redact(e.hint))}` : '';
      // A message that echoes a huge input stays one readable line.
      const message = e.message.length > 500 ? `${e.message.slice(0, 500)}… (cut)` : e.message;
      process.stderr.write(`housekeeper: ${forTerminal(redact(message))}${hint}\n`);
    },
    info(line) {
      process.stderr.write(forTerminal(redact(line)) + '\n');
    },
    data(content) {
      process.stdout.write(forTerminal(content));
    },
  };
}

/** A plain text table; columns padded to their widest cell. Cells are one line: every control escaped. */
export function table(headers: string[], rows: string[][]): string {
  const clean = rows.map((r) => r.map((c) => escapeControls(c ?? '')));
  const widths = headers.map((h, i) => Math.max(h.length, ...clean.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...clean.map(line)].join('\n');
}
