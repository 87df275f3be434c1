/**
 * The `housekeeper` command. Wiring only: check the whole command line against the command's spec
 * (main/cli/spec.ts, main/cli/specs) before anything else, open the context, dispatch, and turn errors
 * into the documented exit codes and messages (main/cli/errors.ts).
 */
import { createContext, type AppContext } from '../context';
import { APP_VERSION } from '../version';
import { auditCommand } from './commands/audit';
import { connectionsCommand } from './commands/connections';
import { inspectCommand } from './commands/inspect';
import { profilesCommand } from './commands/profiles';
import { purgeCommand } from './commands/purge';
import { schedulesCommand } from './commands/schedules';
import { serveCommand } from './commands/serve';
import { mapSystemError } from './errors';
import { EXIT, exitCodeFor } from './exit';
import { HELP } from './help';
import { createOut } from './io';
import { parseCommandLine } from './spec';
import { COMMANDS } from './specs';

export async function main(argv: string[]): Promise<number> {
  let out = createOut(argv.includes('--json'));
  let ctx: AppContext | null = null;
  try {
    if (argv.length === 0) {
      process.stdout.write(`${HELP}\n`);
      return EXIT.usage;
    }
    const parsed = parseCommandLine(argv, COMMANDS);
    if ('version' in parsed) {
      process.stdout.write(`${APP_VERSION}\n`);
      return EXIT.ok;
    }
    if ('help' in parsed) {
      process.stdout.write(`${HELP}\n`);
      return EXIT.ok;
    }
    const { command, sub, rest, flags } = parsed;
    out = createOut(flags.json ?? false);
    // Only now, with every argument valid, is the local store opened.
    ctx = createContext({ face: command === 'serve' ? 'web' : 'cli' });
    switch (command) {
      case 'serve':
        return await serveCommand(ctx, flags, out);
      case 'connections':
        return await connectionsCommand(ctx, sub, rest, flags, out);
      case 'audit':
        return auditCommand(ctx, flags, out);
      case 'inspect':
        return await inspectCommand(ctx, sub, rest, flags, out);
      case 'purge':
        return await purgeCommand(ctx, sub, rest, flags, out);
      case 'profiles':
        return await profilesCommand(ctx, sub, rest, flags, out);
      default:
        return await schedulesCommand(ctx, sub, rest, flags, out);
    }
  } catch (e) {
    const ae = mapSystemError(e);
    out.error(ae.toData());
    return exitCodeFor(ae.code);
  } finally {
    await ctx?.close();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
