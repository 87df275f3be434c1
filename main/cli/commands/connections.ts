import { AppError } from '../../../shared/errors';
import type { ConnectionView, TestReport } from '../../../shared/domain/connection';
import { testConnection } from '../../core/connections/checks';
import type { AppContext } from '../../context';
import type { Flags } from '../args';
import { draftFromFlags, resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import { table, type Out } from '../io';
import { confirm } from '../prompt';

export function describeDb(c: ConnectionView): string {
  const d = c.db;
  if (d.kind === 'postgres') return `Postgres ${d.user}@${d.host}:${d.port}/${d.database}${d.allowCleartextPassword ? ' (cleartext password allowed)' : ''}`;
  if (d.kind === 'sqlite') return `SQLite ${d.path}`;
  return 'API only';
}

export function formatReport(r: TestReport): string {
  const icon = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const;
  const lines = r.checks.map((c) => {
    const hint = c.hint && c.status !== 'ok' ? `\n        -> ${c.hint}` : '';
    return `  ${icon[c.status]}  ${c.label}: ${c.detail}${hint}`;
  });
  const head = [
    `Prefect ${r.serverVersion ?? 'unknown version'} (${r.apiKind})`,
    r.dbKind === 'none' ? 'no database' : `${r.dbKind}${r.migration ? ` at migration ${r.migration}` : ''}`,
  ].join(', ');
  return `${head}\n${lines.join('\n')}\n${r.ok ? 'All checks passed.' : 'Some checks failed.'}`;
}

export async function connectionsCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  switch (sub) {
    case 'list':
    case undefined: {
      const { connections, lastUsedId } = ctx.connections.list();
      out.result({ connections, lastUsedId }, () =>
        connections.length === 0
          ? 'No saved connections. Add one with `housekeeper connections add --name NAME --api URL [--db URL]`.'
          : table(
              ['NAME', 'API', 'DATABASE', 'FLAGS'],
              connections.map((c) => [
                c.name + (c.id === lastUsedId ? ' *' : ''),
                c.apiUrl,
                describeDb(c),
                [c.apiKind === 'cloud' ? 'cloud' : '', c.readOnly ? 'read-only' : ''].filter(Boolean).join(','),
              ]),
            ),
      );
      return EXIT.ok;
    }
    case 'add': {
      if (!flags.name) throw new AppError('VALIDATION', 'A connection needs a name.', { hint: 'Add --name NAME.' });
      const draft = draftFromFlags(flags, flags.name);
      let report: TestReport | null = null;
      if (flags.test) {
        const r = await testConnection(ctx.connections.resolve(undefined, draft));
        if (!out.json) out.info(formatReport(r));
        report = r;
      }
      const saved = ctx.connections.save(undefined, draft);
      out.result({ connection: saved, test: report }, () => `Saved connection "${saved.name}" (${saved.apiUrl}, ${describeDb(saved)}).`);
      return report && !report.ok ? EXIT.failed : EXIT.ok;
    }
    case 'test': {
      const target = resolveTarget(ctx.connections, flags);
      const report = await testConnection(target);
      out.result(report, () => formatReport(report));
      return report.ok ? EXIT.ok : EXIT.failed;
    }
    case 'remove': {
      const name = rest[0] ?? flags.connection;
      if (!name) throw new AppError('VALIDATION', 'Which connection?', { hint: 'housekeeper connections remove NAME' });
      const view = ctx.connections.find(name);
      const ok = flags.yes || (await confirm(`Remove the saved connection "${view.name}" and its stored secrets? Nothing on the server changes. [y/N] `));
      if (!ok) {
        out.error({ code: 'FORBIDDEN', message: 'Not confirmed; nothing was removed.', hint: 'Pass --yes to skip the question.' });
        return EXIT.refused;
      }
      ctx.connections.remove(view.id);
      out.result({ removed: view.name }, () => `Removed "${view.name}".`);
      return EXIT.ok;
    }
    default:
      throw new AppError('VALIDATION', `Unknown command "connections ${sub}".`, { hint: 'Use list, add, test or remove.' });
  }
}
