/**
 * Reading and writing the text files the window's dialogs pick. Reads refuse what is not a
 * reasonably small UTF-8 text file with a clear error; writes are atomic (a temp file in the same
 * folder, then rename, so a crash never leaves half a file over the user's old one) and private to
 * the user (0600): an export may carry secrets the user chose to include.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { MAX_TEXT_FILE_BYTES } from '../../shared/contracts/desktop';
import { AppError } from '../../shared/errors';

export async function readText(file: string): Promise<string> {
  const st = await fs.stat(file).catch((e: unknown) => {
    throw new AppError('NOT_FOUND', `Cannot read ${file}: ${(e as Error).message}`);
  });
  if (!st.isFile()) throw new AppError('VALIDATION', `${file} is not a file.`);
  if (st.size > MAX_TEXT_FILE_BYTES) {
    throw new AppError('VALIDATION', `${path.basename(file)} is ${Math.ceil(st.size / 1024)} KiB; Housekeeper opens text files up to ${MAX_TEXT_FILE_BYTES / 1024 / 1024} MiB.`, {
      hint: 'Choose the settings file itself, not an archive or a log.',
    });
  }
  const buf = await fs.readFile(file);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf).replace(/^\uFEFF/, '');
  } catch {
    throw new AppError('VALIDATION', `${path.basename(file)} is not UTF-8 text.`, { hint: 'Choose a text file (TOML, .env, YAML).' });
  }
}

export async function writeTextAtomically(file: string, content: string): Promise<number> {
  const data = Buffer.from(content, 'utf8');
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    await fs.writeFile(tmp, data, { mode: 0o600, flag: 'wx' });
    await fs.rename(tmp, file);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw new AppError('VALIDATION', `Cannot write ${file}: ${(e as Error).message}`, { hint: 'Choose a folder you can write to.' });
  }
  return data.length;
}
