/**
 * Every flag the CLI knows, with its type. Which command takes which flag, and how each value is
 * checked, is declared per command in main/cli/specs (README "The CLI"); main/cli/spec.ts parses.
 */
import { AppError } from '../../shared/errors';

export const OPTIONS = {
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
  json: { type: 'boolean' },
  yes: { type: 'boolean', short: 'y' },
  'dry-run': { type: 'boolean' },
  connection: { type: 'string', short: 'c' },
  api: { type: 'string' },
  'api-auth': { type: 'string' },
  'api-key': { type: 'string' },
  db: { type: 'string' },
  'read-only': { type: 'boolean' },
  'allow-cleartext-password': { type: 'boolean' },
  name: { type: 'string' },
  test: { type: 'boolean' },
  host: { type: 'string' },
  'allow-remote': { type: 'boolean' },
  port: { type: 'string' },
  'no-open': { type: 'boolean' },
  limit: { type: 'string' },
  // purge
  'older-than': { type: 'string' },
  deployment: { type: 'string', multiple: true },
  'work-pool': { type: 'string', multiple: true },
  'work-queue': { type: 'string', multiple: true },
  tag: { type: 'string', multiple: true },
  state: { type: 'string', multiple: true },
  'include-manual': { type: 'boolean' },
  'keep-newest': { type: 'string' },
  executor: { type: 'string' },
  export: { type: 'string' },
  vacuum: { type: 'boolean' },
  'batch-size': { type: 'string' },
  'batch-target-ms': { type: 'string' },
  'batch-pause-ms': { type: 'string' },
  // retention (also uses --older-than, --deployment, --state, --keep-newest, --executor, --export, --vacuum, --batch-*)
  'no-events': { type: 'boolean' },
  'events-older-than': { type: 'string' },
  orphans: { type: 'boolean' },
  table: { type: 'string', multiple: true },
  confirm: { type: 'string' },
  // inspect (also uses --format)
  output: { type: 'string', short: 'o' },
  exact: { type: 'boolean' },
  // profiles
  format: { type: 'string' },
  file: { type: 'string' },
  profile: { type: 'string', multiple: true },
  all: { type: 'boolean' },
  'include-secrets': { type: 'boolean' },
  set: { type: 'string', multiple: true },
  unset: { type: 'string', multiple: true },
  preset: { type: 'string' },
  'fix-names': { type: 'boolean' },
  message: { type: 'string' },
  rev: { type: 'string' },
  from: { type: 'string' },
  service: { type: 'string' },
  namespace: { type: 'string' },
  replace: { type: 'boolean' },
  force: { type: 'boolean' },
  'prefect-line': { type: 'string' },
  // schedules (also uses --deployment, --keep-newest, --set, --profile)
  anchor: { type: 'string' },
  horizon: { type: 'string' },
  change: { type: 'string' },
  defaults: { type: 'boolean' },
  // diagnose (also uses --format, --output, --profile, --file, --set, --keep-newest)
  'server-processes': { type: 'string' },
  finding: { type: 'string', multiple: true },
  'export-format': { type: 'string' },
} as const;

export type OptionName = keyof typeof OPTIONS;

export type Flags = {
  [K in keyof typeof OPTIONS]?: (typeof OPTIONS)[K] extends { multiple: true }
    ? string[]
    : (typeof OPTIONS)[K]['type'] extends 'boolean'
      ? boolean
      : string;
};

export function intFlag(value: string | undefined, name: string, min: number, max: number): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new AppError('VALIDATION', `--${name} must be a whole number from ${min} to ${max} (got "${value}").`);
  }
  return n;
}
