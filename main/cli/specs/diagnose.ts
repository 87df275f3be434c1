/** `housekeeper diagnose`: its sub-commands, flags and how each value is checked (main/cli/spec.ts). */
import { quoteForMessage } from '../../../shared/domain/safe-text';
import { FINDING_IDS, SETTINGS_FORMATS } from '../../../shared/domain/diagnose';
import type { CommandGroup, CommandSpec } from '../spec';
import { usageError } from '../spec';
import * as V from '../validators';
import { targetSpec } from './common';

const processes = V.int(1, 1000, '3');
const format = V.oneOf(['md', 'json']);
const output = V.outputFile('diagnosis.md');

const needsFormat = (f: { output?: string; format?: string }) => {
  if (f.output && !f.format) throw usageError('--output', '--format md|json with it', '--format md --output diagnosis.md', 'needs --format');
};

const run: CommandSpec = targetSpec({
  options: ['server-processes', 'format', 'output'],
  values: { 'server-processes': processes, format, output },
  check: needsFormat,
});

export const diagnoseSpec: CommandGroup = {
  command: 'diagnose',
  subs: {
    '': run,
    fix: targetSpec({
      options: ['finding', 'keep-newest', 'profile', 'file', 'export-format', 'set', 'server-processes', 'dry-run', 'yes'],
      values: {
        finding: V.oneOf(FINDING_IDS),
        'keep-newest': V.int(0, 10_000, '1'),
        profile: V.profileName,
        // Where the settings export goes (else Housekeeper's own exports folder); its folder must exist.
        file: V.outputFile('prefect-server.env'),
        'export-format': V.oneOf(SETTINGS_FORMATS),
        set: V.text('NAME=VALUE for an input the session needs (REDIS_HOST=redis.internal)', 'REDIS_HOST=redis.internal', 600),
        'server-processes': processes,
      },
      check: (f) => {
        if ((f.profile?.length ?? 0) > 1) throw usageError('--profile', 'one profile for the settings', '--profile production', 'given more than once');
        for (const s of f.set ?? []) {
          if (!/^\s*[A-Za-z][A-Za-z0-9_]*\s*=/.test(s)) throw usageError(`--set ${quoteForMessage(s.slice(0, 60))}`, 'NAME=VALUE', '--set REDIS_HOST=redis.internal', 'no "=" after a name');
        }
      },
    }),
    sessions: targetSpec({ options: ['limit'], values: { limit: V.int(1, 200, '20') } }),
    report: { options: ['format', 'output'], positionals: [{ name: 'SESSION_ID', validator: V.id }], values: { format, output: V.outputFile('session.md') }, check: needsFormat },
  },
};
