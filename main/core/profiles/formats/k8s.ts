/**
 * A Kubernetes ConfigMap (plain settings) plus a Secret (secret settings, stringData) for a Prefect
 * server Deployment to load with envFrom. Without included secrets the Secret is not written; the
 * header says which keys it must hold.
 */
import { Document } from 'yaml';
import type { ProfileValues } from '../../../../shared/domain/profiles';
import { keepPrefect, parseError, partition, secretNote, type Parsed, type RenderInput, type Rendered } from './common';
import { isRecord, k8sName, readYamlDocs, scalarText } from './yaml-util';

export function renderK8s(input: RenderInput): Rendered {
  const { plain, secret, omitted } = partition(input);
  const base = k8sName(input.options.serviceName ?? input.name);
  const meta = (suffix: string) => ({ name: `${base}-${suffix}`, ...(input.options.namespace ? { namespace: input.options.namespace } : {}), labels: { 'app.kubernetes.io/managed-by': 'housekeeper' } });
  const cm = new Document({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta('prefect-settings'), data: Object.fromEntries(plain) });
  cm.commentBefore = [
    ` Prefect settings from Housekeeper profile "${input.name}". Load them in the server container with:`,
    `   envFrom: [{configMapRef: {name: ${base}-prefect-settings}}${secret.length || omitted.length ? `, {secretRef: {name: ${base}-prefect-secrets}}` : ''}]`,
    ' then restart the pods (kubectl rollout restart): Prefect reads settings at start.',
    ...(omitted.length ? [` Secret keys left out by Housekeeper; create them yourself:`, `   kubectl create secret generic ${base}-prefect-secrets ${omitted.map((k) => `--from-literal=${k}=...`).join(' ')}`] : []),
  ].join('\n');
  const docs = [cm.toString({ lineWidth: 0 })];
  if (secret.length) {
    docs.push(new Document({ apiVersion: 'v1', kind: 'Secret', metadata: meta('prefect-secrets'), type: 'Opaque', stringData: Object.fromEntries(secret) }).toString({ lineWidth: 0 }));
  }
  return { content: docs.join('---\n'), omitted, notes: secretNote(omitted) };
}

/** ConfigMaps and Secrets in the stream, merged into one profile named after the first ConfigMap. */
export function parseK8s(text: string): Parsed {
  const notes: string[] = [];
  const pairs: [string, string][] = [];
  let name: string | undefined;
  for (const doc of readYamlDocs(text, 'Kubernetes manifest')) {
    if (!isRecord(doc)) continue;
    const metaName = isRecord(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : undefined;
    if (doc.kind === 'ConfigMap' && isRecord(doc.data)) {
      name ??= metaName?.replace(/-prefect-settings$/, '');
      for (const [k, v] of Object.entries(doc.data)) pairs.push([k, scalarText(v) ?? '']);
    } else if (doc.kind === 'Secret') {
      name ??= metaName?.replace(/-prefect-secrets$/, '');
      if (isRecord(doc.stringData)) for (const [k, v] of Object.entries(doc.stringData)) pairs.push([k, scalarText(v) ?? '']);
      if (isRecord(doc.data)) {
        for (const [k, v] of Object.entries(doc.data)) {
          const s = scalarText(v);
          if (s === null || !/^[A-Za-z0-9+/=\s]*$/.test(s)) throw parseError('Kubernetes manifest', `Secret data ${k} is not base64`);
          pairs.push([k, Buffer.from(s, 'base64').toString('utf8')]);
        }
      }
    } else notes.push(`Skipped a ${String(doc.kind ?? 'document')} (only ConfigMap and Secret hold settings).`);
  }
  const values: ProfileValues = keepPrefect(pairs, notes, 'manifest');
  return { profiles: [{ name: name ?? 'imported', values }], notes };
}
