"""
Prefect's settings, as the installed Prefect itself describes them: the JSON schema of its `Settings`
model (the same `Settings.model_json_schema()` call Prefect's own scripts/generate_settings_schema.py
makes to produce schemas/settings.schema.json), plus what the schema of older releases leaves out.

Output (stdout): one JSON document
  {
    "prefect": "3.9.1", "pydantic": "2.14.2", "pydanticCore": "2.50.2",
    "schema": {...},                      # Settings.model_json_schema(), untouched
    "envs": {"server.api.port": [...]},  # env names per settings path, read from the model
    "runtimeDefaults": {"client.custom_headers": {}}, # values of fields the schema gives no default
    "vacuumTypes": ["events", "flow_runs", "orphans"]  # what db_vacuum.enabled accepts, or null
  }

Why `envs`: Prefect >= 3.1 writes `supported_environment_variables` into the schema
(prefect/settings/base.py `_add_environment_variables`); 3.0 does not. We walk the model with the same
rule for every release (AliasChoices strings upper-cased, else env_prefix + field name), so old lines
get their names from their own model too.

Why `runtimeDefaults`: fields built with `default_factory` (client.custom_headers = {}) have no default
in the schema, but the server reports their value; without it a server at its default looks like drift.

Run with the Python of a venv that has Prefect, in an empty working directory and a minimal
environment (PATH, HOME): Prefect reads ./.env, ./prefect.toml and PREFECT_* variables, and some
defaults come from the environment (api.ssl_cert_file from SSL_CERT_FILE).
"""
import inspect
import json
import os
import sys
import warnings

warnings.simplefilter("ignore")

for k in list(os.environ):
    if k.startswith("PREFECT_"):
        del os.environ[k]
home = os.environ.get("HK_PROBE_HOME", os.path.join(os.getcwd(), "prefect-home"))
os.environ["PREFECT_HOME"] = home
os.environ["PREFECT_PROFILES_PATH"] = os.path.join(home, "none.toml")

import pydantic  # noqa: E402
import pydantic_core  # noqa: E402
from pydantic import AliasChoices  # noqa: E402

import prefect  # noqa: E402
from prefect.settings import Settings  # noqa: E402

try:
    from prefect.settings.base import PrefectBaseSettings  # noqa: E402
except ImportError:  # pragma: no cover - every 3.x has it; keep the error readable if not
    sys.exit("this Prefect has no prefect.settings.base.PrefectBaseSettings (Prefect 3.x is needed)")


def env_names(model, name, field):
    # prefect/settings/base.py _add_environment_variables (3.1+), applied to every release.
    if field.validation_alias is not None and isinstance(field.validation_alias, AliasChoices):
        return [a.upper() for a in field.validation_alias.choices if isinstance(a, str)]
    return [f"{model.model_config.get('env_prefix')}{name.upper()}"]


def walk(model, prefix, out):
    for name, field in model.model_fields.items():
        key = f"{prefix}.{name}" if prefix else name
        ann = field.annotation
        if inspect.isclass(ann) and issubclass(ann, PrefectBaseSettings):
            walk(ann, key, out)
        else:
            out[key] = env_names(model, name, field)


envs = {}
walk(Settings, "", envs)

schema = Settings.model_json_schema()


def schema_leaves(props, defs, prefix, out):
    for name, node in props.items():
        key = f"{prefix}.{name}" if prefix else name
        ref = node.get("$ref") or next((a["$ref"] for a in node.get("allOf", []) if "$ref" in a), None)
        if ref:
            schema_leaves(defs[ref.split("/")[-1]]["properties"], defs, key, out)
        else:
            out[key] = node


leaves = {}
schema_leaves(schema["properties"], schema.get("$defs", {}), "", leaves)

dump = Settings().model_dump(mode="json")


def at(obj, key):
    for part in key.split("."):
        if not isinstance(obj, dict) or part not in obj:
            return None, False
        obj = obj[part]
    return obj, True


runtime = {}
for key, node in leaves.items():
    if "default" in node:
        continue
    value, found = at(dump, key)
    if found:
        runtime[key] = value

# db_vacuum.enabled is a set of names checked by a validator the schema cannot show (3.6+).
try:
    from prefect.settings.models.server.services import _VALID_VACUUM_TYPES as vacuum_types
except ImportError:
    vacuum_types = None

json.dump(
    {
        "prefect": prefect.__version__,
        "pydantic": pydantic.VERSION,
        "pydanticCore": pydantic_core.__version__,
        "probeHome": home,
        "schema": schema,
        "envs": envs,
        "runtimeDefaults": runtime,
        "vacuumTypes": sorted(vacuum_types) if vacuum_types else None,
    },
    sys.stdout,
    indent=1,
    sort_keys=True,
)
