/**
 * The one place the Prefect version used by the harness is pinned. The venv cache path, the
 * `/api/admin/version` assertion and the demo all read it from here, so bumping Prefect is a
 * one-line change (override per run with PREFECT_VERSION=x.y.z).
 */
export const PREFECT_VERSION = process.env.PREFECT_VERSION ?? '3.9.1';
