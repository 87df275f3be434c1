/** YAML reading shared by the compose, Kubernetes and Helm formats: strict, with line numbers. */
import { parseAllDocuments, type Document } from 'yaml';
import { parseError } from './common';

export function readYamlDocs(text: string, what: string): unknown[] {
  const docs = parseAllDocuments(text, { uniqueKeys: true, prettyErrors: true }) as Document[] | { errors: unknown[] };
  if (!Array.isArray(docs)) throw parseError(what, 'not a YAML stream');
  for (const d of docs) {
    const e = d.errors[0];
    // The first line of the library's message only, without its " at line L, column C:" and code frame.
    if (e) throw parseError(what, e.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, ''), e.linePos?.[0]?.line);
  }
  return docs.map((d) => d.toJS({ maxAliasCount: 100 }) as unknown).filter((d) => d !== null && d !== undefined);
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A YAML scalar as the env string a container would see. */
export function scalarText(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return null;
}

/** DNS-1123 name for Kubernetes resources, from a profile name. */
export function k8sName(base: string): string {
  const n = base.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^-+|-+$/g, '');
  return (n || 'prefect').slice(0, 40);
}
