/** Every import and export format behind one switch. */
import type { ExportFormat, ImportFormat } from '../../../../shared/domain/profiles';
import type { PrefectLine } from '../../../../shared/domain/settings-catalog';
import type { Parsed, RenderInput, Rendered } from './common';
import { parseCompose, renderCompose } from './compose';
import { parseDotenv, renderDotenv } from './dotenv';
import { parseHelm, renderHelm } from './helm';
import { parseK8s, renderK8s } from './k8s';
import { parseProfilesToml, renderProfilesToml } from './profiles-toml';
import { parseSystemd, renderSystemd } from './systemd';

export type { Parsed, ParsedProfile, RenderInput, Rendered } from './common';
export { mergeProfilesToml } from './profiles-toml';

export function renderFormat(format: ExportFormat, input: RenderInput): Rendered {
  switch (format) {
    case 'toml':
      return renderProfilesToml(input);
    case 'env':
      return renderDotenv(input);
    case 'compose':
      return renderCompose(input);
    case 'k8s':
      return renderK8s(input);
    case 'helm':
      return renderHelm(input);
    case 'systemd':
      return renderSystemd(input);
  }
}

export function parseFormat(format: ImportFormat, text: string, opts: { service?: string; name?: string; line?: PrefectLine } = {}): Parsed {
  switch (format) {
    case 'toml':
      return parseProfilesToml(text, opts.line);
    case 'env':
      return parseDotenv(text, opts.name);
    case 'compose':
      return parseCompose(text, opts.service);
    case 'k8s':
      return parseK8s(text);
    case 'helm':
      return parseHelm(text, opts.name);
    case 'systemd':
      return parseSystemd(text, opts.name);
  }
}

/** A file name a person would expect for each format. */
export function defaultFileName(format: ExportFormat, profile: string): string {
  const base = profile.replace(/[^A-Za-z0-9._-]+/g, '-');
  return { toml: 'profiles.toml', env: '.env', compose: `docker-compose.${base}.yml`, k8s: `${base}-prefect.k8s.yaml`, helm: `${base}-values.yaml`, systemd: `${base}.env` }[format];
}

/** Guess an import format from a file name. */
export function guessFormat(fileName: string): ImportFormat | undefined {
  const f = fileName.toLowerCase();
  if (f.endsWith('.toml')) return 'toml';
  if (/(^|\/)\.env(\.|$)|\.env$/.test(f)) return 'env';
  if (/compose.*\.ya?ml$/.test(f)) return 'compose';
  if (/values.*\.ya?ml$/.test(f)) return 'helm';
  if (/\.ya?ml$/.test(f)) return 'k8s';
  return undefined;
}
