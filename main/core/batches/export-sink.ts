/**
 * Export before delete: each batch's rows are appended as JSON lines and fsync'ed before the batch's
 * transaction commits, so a run is never deleted without its copy on disk. Secrets do not occur in
 * flow_run rows; parameters are exported as they are (they are the user's own data).
 *
 * Shared by purge and retention. The plan journals how many bytes of the file belong to committed
 * batches (purge_plan.export_bytes, retention_plan.export_bytes)
 * and, while a batch is in flight, where its lines start and end. A resumed purge reopens the same
 * file and settles the in-flight lines (kept when the server committed the batch, cut when it rolled
 * back), so the export ends up with each deleted run exactly once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';

/** One exported row: the run's id and, when exporting, what is written for it. */
export interface ExportRow {
  id: string;
  export?: unknown;
}

export class JsonlSink {
  #fd: number;
  readonly file: string;

  constructor(file: string) {
    this.file = path.resolve(file);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Append: a resumed purge keeps adding to the same export.
      this.#fd = fs.openSync(this.file, 'a+', 0o600); // a+: keepOnly reads back a batch's lines
    } catch (e) {
      throw new AppError('VALIDATION', `Cannot write the export file ${this.file}: ${(e as Error).message}.`, {
        hint: 'Choose a folder you can write to. Nothing was deleted.',
      });
    }
  }

  size(): number {
    return fs.fstatSync(this.#fd).size;
  }

  /** Appends and fsyncs; returns the byte range the lines occupy. */
  write(runs: readonly ExportRow[]): { start: number; end: number } {
    const start = this.size();
    if (!runs.length) return { start, end: start };
    const text = runs.map((r) => JSON.stringify(r.export ?? { id: r.id })).join('\n') + '\n';
    fs.writeSync(this.#fd, text);
    fs.fsyncSync(this.#fd);
    return { start, end: this.size() };
  }

  /** Cuts the file back to `bytes` (lines of a batch that rolled back). Never grows it. */
  truncate(bytes: number): void {
    if (this.size() > bytes) {
      fs.ftruncateSync(this.#fd, bytes);
      fs.fsyncSync(this.#fd);
    }
  }

  /**
   * Of the lines in [start, end), keeps those of the given runs (a batch the server committed only in
   * part, through the API), then drops everything after them.
   */
  keepOnly(start: number, end: number, ids: ReadonlySet<string>): void {
    const len = Math.max(0, Math.min(end, this.size()) - start);
    const buf = Buffer.alloc(len);
    if (len) fs.readSync(this.#fd, buf, 0, len, start);
    const kept = buf
      .toString('utf8')
      .split('\n')
      .filter((line) => line && ids.has(lineRunId(line)));
    fs.ftruncateSync(this.#fd, start);
    if (kept.length) fs.writeSync(this.#fd, kept.join('\n') + '\n');
    fs.fsyncSync(this.#fd);
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}

function lineRunId(line: string): string {
  try {
    const v = JSON.parse(line) as { id?: unknown; flow_run?: { id?: unknown } };
    return String(v.flow_run?.id ?? v.id ?? '');
  } catch {
    return '';
  }
}
