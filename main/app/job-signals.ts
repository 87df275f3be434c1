/**
 * Long jobs visible outside the window: the taskbar/dock progress bar while a purge, schedule change
 * or VACUUM runs, and a system notification when one ends while the window is not focused. Listens
 * to the context's event bus, the same events the page gets.
 */
import { Notification, type BrowserWindow } from 'electron';
import type { EventBus } from '../core/events';
import type { JobFinished, JobProgress } from '../../shared/domain/jobs';
import { JobSignals, type ProgressSignal } from './job-signals-logic';

export function watchJobs(bus: EventBus, win: () => BrowserWindow | null): { signals: JobSignals; stop: () => void } {
  const signals = new JobSignals();
  let last = '';
  const show = (p: ProgressSignal) => {
    const w = win();
    const key = `${p.mode}:${p.value.toFixed(3)}`;
    if (!w || w.isDestroyed() || key === last) return;
    last = key;
    // mode is honoured on Windows; elsewhere the value alone (Linux has no indeterminate bar).
    w.setProgressBar(p.value, { mode: p.mode });
  };
  const stop = bus.subscribe((event, payload) => {
    if (event === 'jobs.progress') show(signals.progress(payload as JobProgress));
    if (event === 'jobs.finished') {
      const { progress, notice } = signals.finished(payload as JobFinished);
      show(progress);
      const w = win();
      if (notice && (!w || w.isDestroyed() || !w.isFocused()) && Notification.isSupported()) {
        const n = new Notification({ title: notice.title, body: notice.body });
        n.on('click', () => {
          const target = win();
          if (target && !target.isDestroyed()) target.show();
        });
        n.show();
      }
    }
  });
  return { signals, stop };
}
