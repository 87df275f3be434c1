/**
 * CLI output: with --json exactly one JSON document goes to stdout (errors included, as
 * {ok:false,error}); everything for people (progress, warnings) goes to stderr.
 */
import type { AppErrorData } from '../../shared/errors';
import { redact } from '../core/log/redact';

export interface Out {
  json: boolean;
  /** The command's result: a JSON document with --json, else readable text. */
  result(value: unknown, text: () => string): void;
  error(e: AppErrorData): void;
  info(line: string): void;
}

export function createOut(json: boolean): Out {
  return {
    json,
    result(value, text) {
      process.stdout.write(json ? JSON.stringify({ ok: true, value }, null, 2) + '\n' : text() + '\n');
    },
    error(e) {
      if (json) process.stdout.write(JSON.stringify({ ok: false, error: e }, null, 2) + '\n');
      const hint = e.hint ? `\n  ${redact(e.hint)}` : '';
      process.stderr.write(`housekeeper: ${redact(e.message)}${hint}\n`);
    },
    info(line) {
      process.stderr.write(redact(line) + '\n');
    },
  };
}

/** A plain text table; columns padded to their widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
