/**
 * The `housekeeper` command. Wiring only: parse flags, open the context, dispatch to a command,
 * turn errors into the documented exit codes.
 */
import { AppError, toAppError } from '../../shared/errors';
import { createContext, type AppContext } from '../context';
import { APP_VERSION } from '../version';
import { parseCli } from './args';
import { auditCommand } from './commands/audit';
import { connectionsCommand } from './commands/connections';
import { inspectCommand } from './commands/inspect';
import { profilesCommand } from './commands/profiles';
import { purgeCommand } from './commands/purge';
import { retentionCommand } from './commands/retention';
import { schedulesCommand } from './commands/schedules';
import { serveCommand } from './commands/serve';
import { EXIT, exitCodeFor } from './exit';
import { HELP } from './help';
import { createOut } from './io';

export async function main(argv: string[]): Promise<number> {
  const wantsJson = argv.includes('--json');
  let out = createOut(wantsJson);
  let ctx: AppContext | null = null;
  try {
    const { positionals, flags } = parseCli(argv);
    out = createOut(flags.json ?? false);
    const [cmd, sub, ...rest] = positionals;
    if (flags.version) {
      process.stdout.write(`${APP_VERSION}\n`);
      return EXIT.ok;
    }
    if (flags.help || cmd === undefined || cmd === 'help') {
      process.stdout.write(`${HELP}\n`);
      return cmd === undefined && !flags.help ? EXIT.usage : EXIT.ok;
    }
    ctx = createContext({ face: cmd === 'serve' ? 'web' : 'cli' });
    switch (cmd) {
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
      case 'retention':
        return await retentionCommand(ctx, sub, rest, flags, out);
      case 'profiles':
        return await profilesCommand(ctx, sub, rest, flags, out);
      case 'schedules':
        return await schedulesCommand(ctx, sub, rest, flags, out);
      default:
        throw new AppError('VALIDATION', `Unknown command "${cmd}".`, { hint: 'Run `housekeeper --help`.' });
    }
  } catch (e) {
    const ae = toAppError(e);
    out.error(ae.toData());
    return exitCodeFor(ae.code);
  } finally {
    await ctx?.close();
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => process.exit(code));
}
