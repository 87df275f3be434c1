"""
Ground truth for Housekeeper's settings validation: run each (env name, value) case through the real
Prefect `Settings` model, exactly as a server process would read it from its environment.

Input (stdin): JSON list of {"env": NAME, "value": STRING} (one setting) or {"values": {NAME: STRING,
...}} (several at once, for the rules that span settings). Output (stdout): the same list with "ok"
and "error" added, in the same order. Used by scripts/gen-validation-fixture.mjs (to
refresh test/fixtures/prefect-validation-<line>.json), by scripts/gen-settings-catalog.mjs (to probe
how a release parses a field) and by the integration test against the harness venv.
Run it with the Python of a venv that has Prefect installed, in an empty working directory (Prefect
also reads ./.env and ./prefect.toml).
"""
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")

cases = json.load(sys.stdin)
base = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}

from prefect.settings import Settings  # noqa: E402

out = []
for case in cases:
    os.environ.clear()
    os.environ.update(base)
    os.environ["PREFECT_HOME"] = base.get("HK_PROBE_HOME", "/tmp/hk-probe-home")
    os.environ["PREFECT_PROFILES_PATH"] = os.path.join(os.environ["PREFECT_HOME"], "none.toml")
    os.environ.update(case["values"] if "values" in case else {case["env"]: case["value"]})
    try:
        Settings()
        out.append({**case, "ok": True, "error": None})
    except Exception as e:  # pydantic ValidationError or SettingsError
        lines = [l.strip() for l in str(e).splitlines() if l.strip()]
        out.append({**case, "ok": False, "error": " | ".join(lines[:3])[:300]})
json.dump(out, sys.stdout, indent=1)
