/**
 * The `environment:` block of a docker-compose service. Compose interpolates `${VAR}` and `$VAR`
 * from the host in every value, so a literal `$` is written `$$` (and read back as `$`): Prefect's
 * own ${PREFECT_SERVER_DATABASE_PASSWORD} placeholder in a connection URL must survive compose.
 */
import { Document } from 'yaml';
import type { ProfileValues } from '../../../../shared/domain/profiles';
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';
import { isRecord, readYamlDocs, scalarText } from './yaml-util';

export function renderCompose(input: RenderInput): Rendered {
  const { plain, secret, omitted } = partition(input);
  const service = input.options.serviceName ?? 'prefect-server';
  const env: Record<string, string> = {};
  for (const [k, v] of [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b))) env[k] = v.replace(/\$/g, '$$$$');
  const doc = new Document({ services: { [service]: { environment: env } } });
  doc.commentBefore = [
    ` Prefect settings from Housekeeper profile "${input.name}".`,
    ' Merge into your docker-compose.yml, then: docker compose up -d (the server reads settings at start).',
    ' "$$" is compose\'s escape for a literal "$".',
    ...omitted.map((k) => ` ${k}: secret, left out by Housekeeper (set it from an env_file or secret).`),
  ].join('\n');
  return { content: doc.toString({ lineWidth: 0 }), omitted, notes: secretNote(omitted) };
}

function unescapeCompose(key: string, v: string, notes: string[]): string {
  if (/\$(?!\$)\{?[A-Za-z_]/.test(v.replace(/\$\$/g, ''))) notes.push(`${key}: compose fills in \${...} from the host environment; kept as written.`);
  return v.replace(/\$\$/g, '$');
}

/** One profile per service that sets Prefect settings (or just `service` when given). */
export function parseCompose(text: string, service?: string): Parsed {
  const [doc] = readYamlDocs(text, 'compose file');
  if (!isRecord(doc) || !isRecord(doc.services)) throw parseError('compose file', 'it has no "services:" section');
  const notes: string[] = [];
  const profiles: Parsed['profiles'] = [];
  const names = service ? [service] : Object.keys(doc.services);
  if (service && !(service in doc.services)) {
    throw parseError('compose file', `it has no service "${service}" (services: ${Object.keys(doc.services).join(', ')})`);
  }
  for (const name of names) {
    const svc = doc.services[name];
    if (!isRecord(svc)) continue;
    const pairs: [string, string][] = [];
    const env = svc.environment;
    if (Array.isArray(env)) {
      const seen = new Set<string>();
      for (const item of env) {
        const s = scalarText(item);
        if (s === null) throw parseError('compose file', `an environment entry of ${name} is not KEY=VALUE`);
        const eq = s.indexOf('=');
        if (eq < 0) {
          notes.push(`${name}: ${s} takes its value from the host environment; skipped.`);
          continue;
        }
        const k = s.slice(0, eq);
        if (seen.has(k)) throw parseError('compose file', `${name}: ${k} is listed twice; keep one`);
        seen.add(k);
        pairs.push([k, unescapeCompose(k, s.slice(eq + 1), notes)]);
      }
    } else if (isRecord(env)) {
      for (const [k, v] of Object.entries(env)) {
        const s = scalarText(v);
        if (s === null) {
          notes.push(`${name}: ${k} has no value (taken from the host environment); skipped.`);
          continue;
        }
        pairs.push([k, unescapeCompose(k, s, notes)]);
      }
    } else if (env !== undefined) throw parseError('compose file', `environment of ${name} must be a mapping or a list`);
    if (svc.env_file !== undefined) notes.push(`${name} also reads env_file ${JSON.stringify(svc.env_file)}; import that file separately.`);
    const values: ProfileValues = keepPrefect(pairs, notes, `service ${name}`);
    if (Object.keys(values).length > 0 || service) profiles.push({ name, values });
  }
  if (profiles.length === 0) notes.push('No service in this file sets PREFECT_* variables.');
  return { profiles, notes };
}
