/** Options shared by the commands that talk to a Prefect server: a saved connection or an ad hoc one. */
import type { Flags, OptionName } from '../args';
import { usageError, type CommandSpec } from '../spec';
import * as V from '../validators';

export const TARGET_OPTIONS = ['connection', 'api', 'api-auth', 'api-key', 'db', 'read-only', 'allow-cleartext-password'] as const satisfies readonly OptionName[];

export const TARGET_VALUES: CommandSpec['values'] = {
  connection: V.connectionRef,
  api: V.apiUrl,
  'api-auth': V.authString,
  'api-key': V.apiKey,
  db: V.dbArg,
};

/** The ad hoc flags go together, and never with --connection. */
export function checkTarget(f: Flags, required: boolean): void {
  if (f.connection && (f.api || f.db || f['api-auth'] || f['api-key'])) {
    throw usageError('--connection', 'either --connection NAME or --api URL [--db URL], not both', '--connection prod', 'given together with ad hoc flags');
  }
  if (f['api-auth'] && f['api-key']) {
    throw usageError('--api-auth', 'either --api-auth (self-hosted basic auth) or --api-key (Prefect Cloud), not both', '--api-auth admin:secret', 'given together with --api-key');
  }
  if (!f.connection && !f.api && (f.db || f['api-auth'] || f['api-key'])) {
    throw usageError('--api', 'the Prefect API URL with the ad hoc flags', '--api http://127.0.0.1:4200/api', 'missing');
  }
  if (required && !f.connection && !f.api) {
    throw usageError('--connection', 'a saved connection (--connection NAME) or an ad hoc server (--api URL [--db URL])', '--connection prod', 'no server given');
  }
}

/** A spec for a command that talks to a server, with its own options added. */
export function targetSpec(spec: CommandSpec, opts: { required?: boolean } = {}): CommandSpec {
  return {
    ...spec,
    options: [...TARGET_OPTIONS, ...spec.options],
    values: { ...TARGET_VALUES, ...spec.values },
    check: (f, p) => {
      checkTarget(f, opts.required ?? true);
      spec.check?.(f, p);
    },
  };
}
