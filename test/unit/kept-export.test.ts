/**
 * The kept export (the web face's "keep an export, download it afterwards"): only the committed
 * bytes are served, chunks end at line ends and join back to the file exactly, a line longer than a
 * chunk comes whole, and an export written elsewhere (CLI, desktop dialog) is never read back.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import crypto from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXPORT_CHUNK_BYTES, keptExportPath, readKeptExport, type KeptExportRow } from '../../main/core/batches/kept-export';

let home: string;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'hk-ke-'));
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

function row(id: string, file: string | null, bytes: number): KeptExportRow {
  return { id, export_file: file, export_bytes: bytes };
}

function writeKept(id: string, text: string): string {
  const f = keptExportPath(home, 'purge', id);
  fs.mkdirSync(path.dirname(f), { recursive: true });
  fs.writeFileSync(f, text);
  return f;
}

function readAll(r: KeptExportRow): string[] {
  const parts: string[] = [];
  let offset: number | null = 0;
  while (offset !== null) {
    const c = readKeptExport(home, 'purge', r, offset);
    parts.push(c.content);
    offset = c.nextOffset;
  }
  return parts;
}

describe('kept export', () => {
  it('serves only the committed bytes (a batch in flight is not served)', () => {
    const id = crypto.randomUUID();
    const committed = '{"id":"a"}\n{"id":"b"}\n';
    const f = writeKept(id, `${committed}{"id":"in-flight"}\n`);
    const c = readKeptExport(home, 'purge', row(id, f, Buffer.byteLength(committed)), 0);
    expect(c.content).toBe(committed);
    expect(c.nextOffset).toBeNull();
    expect(c.totalBytes).toBe(Buffer.byteLength(committed));
    expect(c.name).toBe(`purge-${id.slice(0, 8)}-deleted-runs.jsonl`);
  });

  it('cuts chunks at line ends and they join back to the file, multi-byte text included', () => {
    const id = crypto.randomUUID();
    const line = (i: number) => JSON.stringify({ id: `run-${i}`, name: `überfällig-${'é'.repeat(500)}` });
    const lines: string[] = [];
    let size = 0;
    for (let i = 0; size < EXPORT_CHUNK_BYTES * 2.5; i++) {
      const l = `${line(i)}\n`;
      lines.push(l);
      size += Buffer.byteLength(l);
    }
    const text = lines.join('');
    const f = writeKept(id, text);
    const parts = readAll(row(id, f, Buffer.byteLength(text)));
    expect(parts.length).toBe(3);
    for (const p of parts) expect(p.endsWith('\n')).toBe(true);
    expect(parts.join('')).toBe(text);
  });

  it('serves a line longer than a chunk whole', () => {
    const id = crypto.randomUUID();
    const long = `${JSON.stringify({ id: 'big', parameters: 'x'.repeat(EXPORT_CHUNK_BYTES + 10) })}\n`;
    const text = `${long}{"id":"after"}\n`;
    const f = writeKept(id, text);
    const parts = readAll(row(id, f, Buffer.byteLength(text)));
    expect(parts[0]).toBe(long);
    expect(parts.join('')).toBe(text);
  });

  it('refuses an export written elsewhere, a plan without one, a bad offset and a non-id', () => {
    const id = crypto.randomUUID();
    const elsewhere = path.join(home, 'mine.jsonl');
    fs.writeFileSync(elsewhere, '{"id":"a"}\n');
    expect(() => readKeptExport(home, 'purge', row(id, elsewhere, 11), 0)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
    expect(() => readKeptExport(home, 'purge', row(id, null, 0), 0)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    const f = writeKept(id, '{"id":"a"}\n');
    expect(() => readKeptExport(home, 'purge', row(id, f, 11), 12)).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    expect(() => keptExportPath(home, 'purge', '../../etc/passwd')).toThrow(expect.objectContaining({ code: 'VALIDATION' }));
    fs.rmSync(f);
    expect(() => readKeptExport(home, 'purge', row(id, f, 11), 0)).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
  });

  it('keeps a retention apart from a purge: its own folder and name, and one never serves the other', () => {
    const id = crypto.randomUUID();
    const f = keptExportPath(home, 'retention', id);
    expect(path.relative(home, f)).toBe(path.join('retention-exports', `retention-${id}.jsonl`));
    fs.mkdirSync(path.dirname(f), { recursive: true });
    const line = '{"flow_run":{"id":"r"}}\n';
    fs.writeFileSync(f, line);
    const c = readKeptExport(home, 'retention', row(id, f, Buffer.byteLength(line)), 0);
    expect(c.content).toBe(line);
    expect(c.name).toBe(`retention-${id.slice(0, 8)}-deleted-runs.jsonl`);
    // The same plan id asked for as a purge: that is not the purge folder's file, so it is refused.
    expect(() => readKeptExport(home, 'purge', row(id, f, Buffer.byteLength(line)), 0)).toThrow(expect.objectContaining({ code: 'FORBIDDEN' }));
  });
});
