/**
 * Named loggers with redaction built in. Output goes to stderr (stdout belongs to the CLI's --json
 * document). Level from HOUSEKEEPER_LOG (error|warn|info|debug), default warn so the CLI stays quiet.
 */
import { escapeControls } from '../../../shared/domain/safe-text';
import { redact } from './redact';

export type Level = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<Level, number> = { error: 0, warn: 1, info: 2, debug: 3 };

function threshold(): number {
  const env = (process.env.HOUSEKEEPER_LOG ?? 'warn').toLowerCase();
  return env in ORDER ? ORDER[env as Level] : ORDER.warn;
}

export interface Logger {
  error(msg: string, extra?: unknown): void;
  warn(msg: string, extra?: unknown): void;
  info(msg: string, extra?: unknown): void;
  debug(msg: string, extra?: unknown): void;
  child(scope: string): Logger;
}

export function toLogFormat(e: unknown): string {
  if (typeof e === 'string') return e;
  if (e instanceof Error) {
    let s = e.stack ?? `${e.name}: ${e.message}`;
    if (e.cause !== undefined) s += `\nCaused by: ${toLogFormat(e.cause)}`;
    return s;
  }
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

export function createLogger(scope: string): Logger {
  const write = (level: Level, msg: string, extra?: unknown) => {
    if (ORDER[level] > threshold()) return;
    const tail = extra === undefined ? '' : ` ${toLogFormat(extra)}`;
    // Log lines carry server and user text: control characters escaped, line breaks kept (stacks).
    process.stderr.write(escapeControls(redact(`${new Date().toISOString()} ${level.toUpperCase()} [${scope}] ${msg}${tail}`), { keepLines: true }) + '\n');
  };
  return {
    error: (m, x) => write('error', m, x),
    warn: (m, x) => write('warn', m, x),
    info: (m, x) => write('info', m, x),
    debug: (m, x) => write('debug', m, x),
    child: (s) => createLogger(`${scope}:${s}`),
  };
}
