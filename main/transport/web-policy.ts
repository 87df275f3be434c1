/**
 * ============================== SECURITY-SENSITIVE ==============================
 * What the web face refuses even with a valid session token. In local web mode the caller is a page
 * in a browser: files come from the page (uploaded content) and go back to it (a download). Paths on
 * this machine are for the desktop window (native dialogs) and the CLI only, else whoever holds the
 * token could read any file the user can (a private key "imported" as a profile) or write one
 * anywhere (issue #12, item 3).
 * ================================================================================
 */
import type { AppErrorData } from '../../shared/errors';

type Raw = Record<string, unknown> | null | undefined;

const HINT_IMPORT = 'Choose the file in the page (its content is uploaded), or use the desktop window or `housekeeper profiles import FILE`.';
const HINT_EXPORT = 'Download the export from the page, or use the desktop window or `housekeeper profiles export NAME --file PATH`.';

function refusal(what: string, hint: string): AppErrorData {
  return { code: 'FORBIDDEN', message: `In local web mode Housekeeper does not ${what} by path on this machine.`, hint };
}

/** null when the web face may make this request as given. */
export function webRefusal(name: string, input: unknown): AppErrorData | null {
  const raw = (typeof input === 'object' ? input : null) as Raw;
  switch (name) {
    case 'profiles.importPreview':
      return raw?.path !== undefined ? refusal('read a file', HINT_IMPORT) : null;
    case 'profiles.import':
      return (raw?.source as Raw)?.path !== undefined ? refusal('read a file', HINT_IMPORT) : null;
    case 'profiles.exportPreview':
      // With a path the preview reads the existing file (to merge into it) and returns it.
      return raw?.path !== undefined ? refusal('read or write a file', HINT_EXPORT) : null;
    case 'profiles.exportWrite':
      return refusal('write a file', HINT_EXPORT);
    case 'purge.execute':
      return raw?.exportFile !== undefined
        ? refusal('write a file', 'Purge without the export here, or run it with `housekeeper purge --export FILE.jsonl` (or in the desktop window).')
        : null;
    case 'retention.execute':
      // Same as purge: the page never names a path on this machine for the export.
      return raw?.exportFile !== undefined
        ? refusal('write a file', 'Run the retention without the export here, or with `housekeeper retention --export FILE.jsonl` (or in the desktop window).')
        : null;
    case 'diagnose.plan':
      // The session's settings export: without a path it goes to Housekeeper's own exports folder,
      // and the page downloads it from the profile revision the session saved.
      return (raw?.settings as Raw)?.path !== undefined
        ? refusal('write a file', 'Leave the export file out here (the settings go to Housekeeper’s exports folder and the page offers them as a download), or use the desktop window or `housekeeper diagnose fix --file PATH`.')
        : null;
    default:
      return null;
  }
}
