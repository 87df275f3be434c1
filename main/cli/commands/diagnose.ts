/**
 * `housekeeper diagnose`: from "my Prefect server is slow" to findings, and a session that fixes them.
 *   diagnose [--server-processes N] [--json | --format md|json [-o FILE]]     read-only
 *   diagnose fix [--finding ID ...] [--keep-newest N] [--profile NAME] [--file PATH]
 *                [--export-format env|toml|compose|k8s|helm|systemd] [--set NAME=VALUE ...]
 *                [--server-processes N] [--dry-run] [--yes] [--json]
 *   diagnose sessions [--limit N] [--json]
 *   diagnose report SESSION_ID [--format md|json] [-o FILE]
 * `fix` diagnoses, shows the combined plan, asks for the number of findings to be typed back
 * (--yes skips), runs it as a job with progress on stderr (Ctrl-C cancels), and shows before/after.
 */
import fs from 'node:fs';
import path from 'node:path';
import { confirmationText, SettingsFormatSchema, type SessionOutcome } from '../../../shared/domain/diagnose';
import { AppError } from '../../../shared/errors';
import type { AppContext } from '../../context';
import { diagnoseOf, reportOf } from '../../handlers/diagnose';
import { intFlag, type Flags } from '../args';
import { resolveTarget } from '../connection-args';
import { EXIT } from '../exit';
import type { Out } from '../io';
import { awaitJob, confirmTypedCount } from '../wait';
import { formatDiagnosis, formatPlan, formatSession } from './diagnose-format';

const USAGE = 'Use `housekeeper diagnose`, `diagnose fix`, `diagnose sessions` or `diagnose report SESSION_ID`.';

function reportFormat(flags: Flags): 'md' | 'json' | null {
  if (flags.format === undefined) return null;
  if (flags.format === 'md' || flags.format === 'json') return flags.format;
  throw new AppError('VALIDATION', `--format must be md or json (got "${flags.format}").`);
}

function write(out: Out, flags: Flags, r: { content: string; filename: string }): void {
  if (flags.output) {
    const file = path.resolve(flags.output);
    fs.writeFileSync(file, r.content, { mode: 0o600 });
    out.info(`Wrote ${file}`);
    if (out.json) out.result({ file }, () => '');
  } else {
    process.stdout.write(r.content);
  }
}

/** NAME=VALUE pairs for the actions' inputs (a Redis host). */
function inputsOf(flags: Flags): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of flags.set ?? []) {
    const i = raw.indexOf('=');
    if (i < 1) throw new AppError('VALIDATION', `--set takes NAME=VALUE (got "${raw}").`);
    out[raw.slice(0, i).trim().toUpperCase()] = raw.slice(i + 1).trim();
  }
  return out;
}

export async function diagnoseCommand(ctx: AppContext, sub: string | undefined, rest: string[], flags: Flags, out: Out): Promise<number> {
  const svc = diagnoseOf(ctx);
  const processes = intFlag(flags['server-processes'], 'server-processes', 1, 1000);
  if (sub === 'report') {
    const id = rest[0];
    if (!id) throw new AppError('VALIDATION', 'Which session? `housekeeper diagnose report SESSION_ID`.', { hint: 'List them with `housekeeper diagnose sessions`.' });
    write(out, flags, reportOf(svc, { sessionId: id, format: reportFormat(flags) ?? 'md' }));
    return EXIT.ok;
  }
  if (sub === 'sessions') {
    const conn = resolveTarget(ctx.connections, flags);
    const list = svc.repo.sessions(conn.id, intFlag(flags.limit, 'limit', 1, 200) ?? 20);
    out.result(list, () => (list.length ? list.map((s) => `${s.sessionId}  ${s.createdAt.slice(0, 19).replace('T', ' ')}  ${s.status.padEnd(11)} ${s.findings} findings  ${s.message ?? ''}`).join('\n') : 'No sessions on this connection yet.'));
    return EXIT.ok;
  }
  if (sub !== undefined && sub !== 'fix') throw new AppError('VALIDATION', `Unknown command "diagnose ${sub}".`, { hint: USAGE });

  const conn = resolveTarget(ctx.connections, flags);
  const controller = new AbortController();
  const onSig = () => controller.abort();
  process.once('SIGINT', onSig);
  let d;
  try {
    d = await svc.diagnose({ conn, signal: controller.signal, ...(processes !== undefined ? { serverProcesses: processes } : {}) });
  } finally {
    process.removeListener('SIGINT', onSig);
  }

  if (sub === undefined) {
    const fmt = reportFormat(flags);
    if (fmt) write(out, flags, reportOf(svc, { diagnosisId: d.id, format: fmt }));
    else out.result(d, () => formatDiagnosis(d));
    return EXIT.ok;
  }

  // diagnose fix
  const fmt = flags['export-format'] === undefined ? undefined : SettingsFormatSchema.safeParse(flags['export-format']);
  if (fmt && !fmt.success) throw new AppError('VALIDATION', `--export-format must be one of ${SettingsFormatSchema.options.join(', ')}.`);
  if ((flags.profile?.length ?? 0) > 1) throw new AppError('VALIDATION', 'Give one --profile for the settings.');
  const plan = svc.plan({
    conn,
    diagnosisId: d.id,
    findings: flags.finding ?? [],
    keepNewest: intFlag(flags['keep-newest'], 'keep-newest', 0, 10_000) ?? 0,
    settings: { ...(flags.profile?.[0] ? { profile: flags.profile[0] } : {}), ...(fmt?.success ? { format: fmt.data } : {}), ...(flags.file ? { path: flags.file } : {}) },
    inputs: inputsOf(flags),
  });
  if (flags['dry-run']) {
    out.result({ diagnosis: d, plan }, () => `${formatDiagnosis(d)}\n\n${formatPlan(plan)}\n\nDry run: nothing was changed (session ${plan.sessionId}).`);
    return EXIT.ok;
  }
  if (!out.json) out.info(`${formatPlan(plan)}\n`);
  if (conn.readOnly) throw new AppError('FORBIDDEN', `"${conn.name}" is a read-only connection: nothing was changed.`, { hint: 'The plan above is what a session would do.' });
  if (!flags.yes) {
    const ok = await confirmTypedCount(`This session runs ${plan.steps.length} steps; it is confirmed by the ${confirmationText(plan)}.`, plan.confirmCount);
    if (!ok) throw new AppError('FORBIDDEN', 'Not confirmed: nothing was changed.', { hint: `Type ${plan.confirmCount} (the ${plan.confirmUnit === 'runs' ? 'runs it deletes' : 'findings it fixes'}), or pass --yes.` });
  }
  const started = svc.apply({ conn, sessionId: plan.sessionId, confirmCount: plan.confirmCount });
  const f = await awaitJob(ctx, started.jobId, started.finished);
  const session = svc.session(plan.sessionId);
  out.result(session, () => formatSession(session));
  const status = (f.result as SessionOutcome | null)?.status ?? session.outcome?.status ?? f.status;
  return status === 'done' ? EXIT.ok : status === 'cancelled' ? EXIT.cancelled : EXIT.failed;
}
