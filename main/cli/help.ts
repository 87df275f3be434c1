export const HELP = `housekeeper - maintenance sessions for self-hosted Prefect servers

Usage:
  housekeeper serve [--port N] [--no-open] [--host ADDRESS --allow-remote]
  housekeeper connections list [--json]
  housekeeper connections add --name NAME --api URL [--api-auth user:pass | --api-key KEY]
                              [--db URL-or-SQLite-path] [--allow-cleartext-password] [--read-only] [--test] [--json]
  housekeeper connections test (--connection NAME | --api URL ...) [--json]
  housekeeper connections remove NAME [--yes] [--json]
  housekeeper audit [--connection NAME] [--limit N] [--json]
  housekeeper purge [--older-than 30m|PT30M|ISO-TIME] [--deployment FLOW/NAME ...] [--work-pool P ...]
                    [--work-queue [POOL/]Q ...] [--tag T ...] [--state Scheduled|Late ...] [--include-manual]
                    [--keep-newest N] [--executor auto|sql|api] [--export FILE.jsonl] [--vacuum]
                    [--batch-size N] [--batch-target-ms 200]
                    [--dry-run] [--yes] [--json]
  housekeeper purge status|resume PLAN_ID
  housekeeper retention [--older-than 90d|P90D|ISO-TIME] [--state COMPLETED|FAILED|CANCELLED|CRASHED ...]
                        [--deployment FLOW/NAME ...] [--keep-newest N] [--events-older-than 7d | --no-events]
                        [--orphans] [--executor auto|sql|api] [--export FILE.jsonl] [--vacuum]
                        [--batch-size N] [--batch-target-ms 200] [--batch-pause-ms 0] [--dry-run] [--yes] [--json]
  housekeeper retention status|resume PLAN_ID
  housekeeper retention maintenance | vacuum [--table T ...] | repack --table T [...] [--yes]
                    | vacuum-full --table T [--confirm T]
  housekeeper inspect [--json] [--format json|md|csv] [--output FILE] [--exact]
  housekeeper inspect history [--limit N] [--json]
  housekeeper profiles list [--all] | show NAME [--rev N] | history NAME | presets [--prefect-line L] | lines
  housekeeper profiles create NAME [--from OTHER] [--set KEY=VALUE ...] [--prefect-line 3.4] [--force]
  housekeeper profiles edit NAME [--set KEY=VALUE ...] [--unset KEY ...] [--preset ID] [--fix-names]
                               [--prefect-line 3.4] [--message TEXT] [--force] [--yes]
  housekeeper profiles diff NAME [REV_A [REV_B] | OTHER]   restore NAME REV   rename NAME NEW
  housekeeper profiles delete NAME [--yes]   undelete ID
  housekeeper profiles import FILE [--format toml|env|compose|k8s|helm|systemd] [--profile P ... | --all]
                               [--name NEW] [--service S] [--replace] [--prefect-line 3.4] [--force]
  housekeeper profiles export NAME [--format toml|env|compose|k8s|helm|systemd] [--file PATH]
                               [--include-secrets] [--profile TABLE] [--service S] [--namespace NS] [--force]
  housekeeper profiles drift NAME (--connection NAME | --api URL ...) [--all]
  housekeeper schedules list [--deployment FLOW/NAME ...] [--profile NAME | --defaults] [--json]
  housekeeper schedules simulate [--deployment ...] [--profile NAME | --defaults] [--set min_runs=5 ...]
                                 [--horizon HOURS] [--json]
  housekeeper schedules recreate|reset|pause|resume [--deployment FLOW/NAME ...] [--anchor now|ISO-8601]
                                 [--keep-newest N] [--dry-run] [--yes] [--json]
  housekeeper schedules changes [--json]   restore --change ID [--dry-run] [--yes]   status PLAN_ID
  housekeeper diagnose [--server-processes N] [--json | --format md|json [--output FILE]]
  housekeeper diagnose fix [--finding ID ...] [--keep-newest N] [--profile NAME] [--file PATH]
                           [--export-format env|toml|compose|k8s|helm|systemd] [--set NAME=VALUE ...]
                           [--server-processes N] [--dry-run] [--yes] [--json]
  housekeeper diagnose sessions [--json]   report SESSION_ID [--format md|json] [--output FILE]

Connection flags (every command that talks to a server):
  --connection, -c NAME   a saved connection
  --api URL               ad hoc: the Prefect API URL (http://host:4200/api, or a Prefect Cloud workspace URL)
  --api-auth user:pass    basic auth, as PREFECT_API_AUTH_STRING (or env HOUSEKEEPER_API_AUTH_STRING)
  --api-key KEY           Prefect Cloud API key (or env HOUSEKEEPER_API_KEY)
  --db URL|PATH           postgresql://user@host:5432/db (password from the URL, PGPASSWORD or ~/.pgpass),
                          Prefect's postgresql+asyncpg:// form, or a SQLite file path
  --read-only             refuse every destructive action
  --allow-cleartext-password  send the database password when the server asks for it in clear text
                          on a connection without TLS (refused otherwise)

Output and safety:
  --json      one JSON document on stdout; progress and warnings go to stderr
  --yes, -y   do not ask for confirmation
  --dry-run   plan only, change nothing

Exit codes: 0 ok, 1 failed, 2 bad usage or input, 3 refused (read-only, not confirmed), 130 cancelled.
Bad arguments are refused before anything runs: one line on stderr naming the argument, what was
expected and an example.
Local data lives in the platform's user-data folder (HOUSEKEEPER_HOME overrides).`;
