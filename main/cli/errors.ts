/**
 * Operating-system and network errors as messages that say what to do (issue #12, item 9): a raw
 * `listen EADDRINUSE` or `getaddrinfo ENOTFOUND` tells a person nothing they can act on. Errors that
 * are already AppErrors pass through; unknown ones stay INTERNAL (their text, never a stack).
 */
import { AppError, toAppError } from '../../shared/errors';

interface SysError {
  code?: unknown;
  syscall?: unknown;
  path?: unknown;
  address?: unknown;
  port?: unknown;
  hostname?: unknown;
  message?: unknown;
}

export function mapSystemError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const s = (e ?? {}) as SysError;
  const code = typeof s.code === 'string' ? s.code : '';
  const where = typeof s.path === 'string' ? s.path : '';
  const cause = { cause: e, details: { errno: code } };
  switch (code) {
    case 'EADDRINUSE':
      return new AppError('VALIDATION', `--port: port ${String(s.port ?? '')} on ${String(s.address ?? 'this machine')} is already in use by another program.`, {
        ...cause,
        hint: 'Pick another port with --port N, or --port 0 for any free port.',
      });
    case 'EADDRNOTAVAIL':
      return new AppError('VALIDATION', `--host: ${String(s.address ?? 'that address')} is not an address of this machine.`, {
        ...cause,
        hint: 'Use 127.0.0.1 (this machine only), or an address of one of its interfaces with --allow-remote.',
      });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new AppError('VALIDATION', `The host "${String(s.hostname ?? '')}" could not be found (DNS).`, {
        ...cause,
        hint: 'Check the host name in the URL (or --host) for typos, and that this machine can resolve it.',
      });
    case 'ECONNREFUSED':
      return new AppError('INTERNAL', `Nothing is listening at ${String(s.address ?? '')}:${String(s.port ?? '')}.`, { ...cause, hint: 'Check the URL and port, and that the server is running.' });
    case 'ENOENT':
    case 'ENOTDIR':
      return new AppError('NOT_FOUND', `${where || 'A file'} does not exist${code === 'ENOTDIR' ? ' (a part of the path is not a folder)' : ''}.`, { ...cause, hint: 'Check the path; folders are not created for you.' });
    case 'EACCES':
    case 'EPERM':
      if (s.syscall === 'listen' || s.syscall === 'bind') {
        return new AppError('VALIDATION', `--port: this user may not listen on port ${String(s.port ?? '')}.`, { ...cause, hint: 'Ports below 1024 need privileges: use --port 0 or a port above 1024.' });
      }
      return new AppError('FORBIDDEN', `${where || 'That file'} is not writable (or readable) for this user. Nothing else was changed.`, { ...cause, hint: 'Choose a path you own, or fix its permissions.' });
    case 'EROFS':
      return new AppError('FORBIDDEN', `${where || 'That path'} is on a read-only file system.`, { ...cause, hint: 'Choose a path on a writable disk.' });
    case 'EISDIR':
      return new AppError('VALIDATION', `${where || 'That path'} is a folder, not a file.`, { ...cause, hint: 'Give a file name inside it.' });
    case 'EEXIST':
      return new AppError('CONFLICT', `${where || 'That path'} already exists.`, { ...cause, hint: 'Choose another name, or move the existing one aside.' });
    case 'ENOSPC':
      return new AppError('INTERNAL', `The disk is full${where ? ` (writing ${where})` : ''}.`, { ...cause, hint: 'Free some space and run the command again.' });
    default:
      if (e instanceof RangeError && /Invalid time value/.test(e.message)) {
        return new AppError('VALIDATION', 'A date or duration is out of range.', { cause: e, hint: 'Use a date between the years 1970 and 9999, or a shorter duration.' });
      }
      return toAppError(e);
  }
}
