/** The CLI's exit codes, the same for every command (README "CLI conventions"). */
import type { ErrorCode } from '../../shared/errors';

export const EXIT = { ok: 0, failed: 1, usage: 2, refused: 3, cancelled: 130 } as const;

export function exitCodeFor(code: ErrorCode): number {
  switch (code) {
    case 'VALIDATION':
    case 'NOT_FOUND':
    case 'CONFLICT':
    case 'SECRET_REQUIRED':
      return EXIT.usage;
    case 'FORBIDDEN':
      return EXIT.refused;
    case 'CANCELLED':
      return EXIT.cancelled;
    default:
      return EXIT.failed;
  }
}
