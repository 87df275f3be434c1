/**
 * The export a purge or a retention keeps in Housekeeper's own data folder
 * (HOUSEKEEPER_HOME/purge-exports, HOUSEKEEPER_HOME/retention-exports), for the faces that must not
 * name a path on this machine: local web mode refuses disk paths (issue #12 item 3,
 * main/transport/web-policy.ts), so the screen asks only "keep an export", the job journals it like
 * any other export (written and fsync'ed before each batch commits, appended to on resume), and the
 * page downloads it afterwards, in chunks cut at line ends.
 *
 * Only files in that folder are served: an export the CLI or the desktop dialog wrote elsewhere stays
 * where its owner put it and is never read back through a request.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { PlanNoun } from './plan-job';

/** What of a plan's journal row the kept export needs (purge and retention rows both have it). */
export interface KeptExportRow {
  id: string;
  export_file: string | null;
  export_bytes: number;
}

/** 4 MiB of JSON lines per chunk: a few round trips for a large export, small enough for one response. */
export const EXPORT_CHUNK_BYTES = 4 * 1024 * 1024;

export function keptExportDir(home: string, noun: PlanNoun): string {
  return path.join(home, `${noun}-exports`);
}

export function keptExportPath(home: string, noun: PlanNoun, planId: string): string {
  // planId is a UUID we generated; refuse anything else rather than build a path from it.
  if (!/^[0-9a-f-]{36}$/i.test(planId)) throw new AppError('VALIDATION', `That is not a ${noun} plan id.`, { hint: 'Use the id shown with the plan.' });
  return path.join(keptExportDir(home, noun), `${noun}-${planId}.jsonl`);
}

export interface ExportChunk {
  /** The file name offered for the download. */
  name: string;
  content: string;
  /** Where the next chunk starts; null when this was the last. */
  nextOffset: number | null;
  /** The committed size of the export (what belongs to deleted runs). */
  totalBytes: number;
}

/**
 * JSON lines from `offset`, up to the bytes journaled as committed (a batch in flight is not served:
 * its runs may not be deleted yet), ending at a line end so every chunk is whole UTF-8 lines.
 */
export function readKeptExport(home: string, noun: PlanNoun, row: KeptExportRow, offset: number): ExportChunk {
  const kept = keptExportPath(home, noun, row.id);
  if (!row.export_file) throw new AppError('NOT_FOUND', `This ${noun} did not keep an export.`, { hint: 'Tick the export before deleting to get one next time.' });
  if (path.resolve(row.export_file) !== path.resolve(kept)) {
    throw new AppError('FORBIDDEN', `This ${noun} exported to ${row.export_file}, a file chosen in the CLI or the desktop window; Housekeeper does not serve it.`, {
      hint: 'Open the file where it was written.',
    });
  }
  const total = row.export_bytes;
  if (!Number.isInteger(offset) || offset < 0 || offset > total) throw new AppError('VALIDATION', `Offset ${offset} is outside the export (0 to ${total} bytes).`);
  let fd: number;
  try {
    fd = fs.openSync(kept, 'r');
  } catch (e) {
    throw new AppError('NOT_FOUND', `The kept export ${kept} cannot be read: ${(e as Error).message}.`, { hint: 'It may have been moved or deleted by hand.' });
  }
  try {
    const want = Math.min(EXPORT_CHUNK_BYTES, total - offset);
    const buf = Buffer.alloc(want);
    const got = want ? fs.readSync(fd, buf, 0, want, offset) : 0;
    let end = got;
    if (offset + got < total) {
      const nl = buf.lastIndexOf(0x0a, got - 1);
      // A single line longer than a chunk: serve it whole (read on to its end) rather than split it.
      end = nl >= 0 ? nl + 1 : got;
      if (nl < 0) return longLine(fd, buf.subarray(0, got), offset, total, downloadName(noun, row.id));
    }
    const next = offset + end;
    return { name: downloadName(noun, row.id), content: buf.subarray(0, end).toString('utf8'), nextOffset: next < total ? next : null, totalBytes: total };
  } finally {
    fs.closeSync(fd);
  }
}

function longLine(fd: number, head: Buffer, offset: number, total: number, name: string): ExportChunk {
  const parts = [head];
  let pos = offset + head.length;
  while (pos < total) {
    const b = Buffer.alloc(Math.min(EXPORT_CHUNK_BYTES, total - pos));
    const n = fs.readSync(fd, b, 0, b.length, pos);
    if (n === 0) break;
    const nl = b.subarray(0, n).indexOf(0x0a);
    if (nl >= 0) {
      parts.push(b.subarray(0, nl + 1));
      pos += nl + 1;
      break;
    }
    parts.push(b.subarray(0, n));
    pos += n;
  }
  return { name, content: Buffer.concat(parts).toString('utf8'), nextOffset: pos < total ? pos : null, totalBytes: total };
}

function downloadName(noun: PlanNoun, planId: string): string {
  return `${noun}-${planId.slice(0, 8)}-deleted-runs.jsonl`;
}
