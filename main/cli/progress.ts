/** Job progress on stderr: one updating line on a terminal, a line every few seconds otherwise. */
import type { JobProgress } from '../../shared/domain/jobs';
import type { EventBus } from '../core/events';
import { escapeControls } from '../../shared/domain/safe-text';

function fmtEta(s: number | null): string {
  if (s === null || !Number.isFinite(s)) return '';
  if (s < 60) return ` ETA ${Math.ceil(s)}s`;
  return ` ETA ${Math.floor(s / 60)}m${String(Math.ceil(s % 60)).padStart(2, '0')}s`;
}

export function formatProgress(p: JobProgress): string {
  const pct = p.total ? ` ${((100 * p.done) / p.total).toFixed(1)}%` : '';
  const of = p.total !== null ? `${p.done}/${p.total}` : `${p.done}`;
  const rate = p.rate ? ` ${Math.round(p.rate)}/s` : '';
  // The message can hold server text (deployment names): one line, controls escaped.
  return escapeControls(`${p.phase}: ${of}${pct}${rate}${fmtEta(p.etaSeconds)}${p.message ? ` - ${p.message}` : ''}`);
}

export function printProgress(bus: EventBus, jobId: string): () => void {
  const tty = process.stderr.isTTY;
  let last = 0;
  const off = bus.subscribe((event, payload) => {
    if (event !== 'jobs.progress') return;
    const p = payload as JobProgress;
    if (p.jobId !== jobId) return;
    const now = Date.now();
    if (tty) {
      process.stderr.write(`\r\x1b[2K${formatProgress(p)}`);
    } else if (now - last > 2000) {
      last = now;
      process.stderr.write(`${formatProgress(p)}\n`);
    }
  });
  return () => {
    off();
    if (tty) process.stderr.write('\n');
  };
}
