/**
 * Values for Prefect's prefect-server Helm chart (PrefectHQ/prefect-helm charts/prefect-server).
 * Its server and background-services Deployments both render `global.prefect.env` (a list of
 * container env entries) after the chart's own variables, so settings there reach wherever the
 * services run, and the canonical names win over the legacy ones the chart sets itself (e.g.
 * PREFECT_API_DATABASE_CONNECTION_URL). Secrets are referenced from a Kubernetes Secret
 * (secretKeyRef) unless the user includes their values explicitly.
 */
import { Document } from 'yaml';
import type { ProfileValues } from '../../../../shared/domain/profiles';
import { keepPrefect, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';
import { isRecord, k8sName, readYamlDocs, scalarText } from './yaml-util';

/** Variables the chart sets from its own values; a note points to the chart key. */
const CHART_MANAGED: Record<string, string> = {
  PREFECT_SERVER_API_HOST: 'the chart always binds 0.0.0.0',
  PREFECT_SERVER_API_PORT: 'use service.targetPort',
  PREFECT_SERVER_API_BASE_PATH: 'use server.apiBasePath',
  PREFECT_SERVER_UI_API_URL: 'use server.uiConfig.prefectUiApiUrl',
  PREFECT_SERVER_API_AUTH_STRING: 'or use server.basicAuth',
  PREFECT_SERVER_DATABASE_CONNECTION_URL: 'the chart also sets the legacy name from its postgresql values; this canonical name wins',
};

export function renderHelm(input: RenderInput): Rendered {
  const { plain, secret, omitted } = partition(input);
  const secretName = `${k8sName(input.options.serviceName ?? input.name)}-prefect-secrets`;
  const env: Record<string, unknown>[] = [];
  for (const [k, v] of [...plain, ...secret].sort(([a], [b]) => a.localeCompare(b))) env.push({ name: k, value: v });
  for (const k of omitted) env.push({ name: k, valueFrom: { secretKeyRef: { name: secretName, key: k } } });
  env.sort((a, b) => String(a.name).localeCompare(String(b.name)));
  const doc = new Document({ global: { prefect: { env } } });
  const managed = env.map((e) => String(e.name)).filter((n) => n in CHART_MANAGED);
  doc.commentBefore = [
    ` Prefect settings from Housekeeper profile "${input.name}", as values for the prefect-server chart:`,
    '   helm upgrade <release> prefect/prefect-server -f <this file> --reuse-values',
    ' global.prefect.env reaches the server and the background services; pods restart on upgrade.',
    ...(omitted.length ? [` Secrets are read from the Secret ${secretName}; create it first:`, `   kubectl create secret generic ${secretName} ${omitted.map((k) => `--from-literal=${k}=...`).join(' ')}`] : []),
    ...(secret.length ? [' WARNING: secret values are included in this file in plain text.'] : []),
    ...managed.map((n) => ` ${n}: ${CHART_MANAGED[n]}.`),
  ].join('\n');
  return { content: doc.toString({ lineWidth: 0 }), omitted, notes: secretNote(omitted) };
}

/** Reads global.prefect.env, server.env and backgroundServices.env; secretKeyRef entries are reported, not resolved. */
export function parseHelm(text: string, name = 'imported'): Parsed {
  const [doc] = readYamlDocs(text, 'Helm values file');
  const notes: string[] = [];
  const pairs: [string, string][] = [];
  const lists: [string, unknown][] = [];
  if (isRecord(doc)) {
    const g = isRecord(doc.global) && isRecord(doc.global.prefect) ? doc.global.prefect.env : undefined;
    lists.push(['global.prefect.env', g]);
    if (isRecord(doc.server)) lists.push(['server.env', doc.server.env]);
    if (isRecord(doc.backgroundServices)) lists.push(['backgroundServices.env', doc.backgroundServices.env]);
  }
  for (const [where, list] of lists) {
    if (!Array.isArray(list)) continue;
    for (const e of list) {
      if (!isRecord(e) || typeof e.name !== 'string') continue;
      const v = scalarText(e.value);
      if (v !== null) pairs.push([e.name, v]);
      else if (e.valueFrom !== undefined) notes.push(`${e.name} (${where}) comes from a Secret or ConfigMap reference; not imported.`);
    }
  }
  if (lists.every(([, l]) => !Array.isArray(l))) notes.push('No global.prefect.env, server.env or backgroundServices.env list found.');
  const values: ProfileValues = keepPrefect(pairs, notes, 'values file');
  return { profiles: [{ name, values }], notes };
}
