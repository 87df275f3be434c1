/**
 * Export before delete: each batch's rows are appended as JSON lines and fsync'ed before the batch's
 * transaction commits, so a run is never deleted without its copy on disk. Secrets do not occur in
 * flow_run rows; parameters are exported as they are (they are the user's own data).
 */
import fs from 'node:fs';
import path from 'node:path';
import { AppError } from '../../../shared/errors';
import type { DeletedRun } from './deleter';

export class JsonlSink {
  #fd: number;
  readonly file: string;

  constructor(file: string) {
    this.file = path.resolve(file);
    try {
      fs.mkdirSync(path.dirname(this.file), { recursive: true });
      // Append: a resumed purge keeps adding to the same export.
      this.#fd = fs.openSync(this.file, 'a', 0o600);
    } catch (e) {
      throw new AppError('VALIDATION', `Cannot write the export file ${this.file}: ${(e as Error).message}.`, {
        hint: 'Choose a folder you can write to. Nothing was deleted.',
      });
    }
  }

  write(runs: readonly DeletedRun[]): void {
    const text = runs.map((r) => JSON.stringify(r.export ?? { id: r.id })).join('\n') + '\n';
    fs.writeSync(this.#fd, text);
    fs.fsyncSync(this.#fd);
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}
