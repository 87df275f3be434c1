/** Shared by the destructive CLI commands: the typed-count confirmation and waiting on a job. */
import readline from 'node:readline/promises';
import type { JobFinished } from '../../shared/domain/jobs';
import type { AppContext } from '../context';
import { printProgress } from './progress';

/** Asks for `count` to be typed back. Without a terminal the answer is no (scripts pass --yes). */
export async function confirmTypedCount(question: string, count: number): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`\n${question} Type ${count} to confirm: `);
    return answer.trim() === String(count);
  } finally {
    rl.close();
  }
}

/** Runs a job to its end with progress on stderr; Ctrl-C cancels it (between units of work). */
export async function awaitJob(ctx: AppContext, jobId: string, finished: Promise<unknown>): Promise<JobFinished> {
  const stop = printProgress(ctx.bus, jobId);
  const onSig = () => ctx.jobs.cancel(jobId);
  process.once('SIGINT', onSig);
  try {
    return (await finished) as JobFinished;
  } finally {
    process.removeListener('SIGINT', onSig);
    stop();
  }
}
