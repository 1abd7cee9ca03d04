"""What the Airbyte platform does with a spec's `advanced_auth` (declarative OAuth), as its docs define it.

A test model, not connector code: it renders `consent_url`, `access_token_url` and
`access_token_headers` with the documented template variables ("Available Template Variables"
in Airbyte's connector-development docs, "Declarative OAuth"), and turns the token endpoint's
answer into config values the way the docs' `extract_output` and
`complete_oauth_output_specification` describe. The platform renders with Jinja (Jinjava) and
allows only a few filters; this model does the same with a sandboxed, strict Jinja2, so a
misspelt variable fails here instead of rendering as an empty string.

Deliberate details of the platform, each documented or visible in its declarative OAuth
templates: `*_param` is `key=value`, and only `redirect_uri_param` and `scope_param` are
URL-encoded (form encoding, Java's `URLEncoder`); an extracted `expires_in` also yields
`token_expiry_date` (now + expires_in, ISO-8601 UTC); an extracted value is keyed by the last
segment of its path, and only keys that `complete_oauth_output_specification` declares are kept.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any, Dict, Iterable, Mapping, MutableMapping, Optional, Set
from urllib.parse import quote_plus

import jinja2
import jsonschema
from jinja2 import meta
from jinja2.sandbox import SandboxedEnvironment

# The documented template variables: a key, its value, and `key=value`, for each OAuth parameter.
PARAMETERS = ("client_id", "client_secret", "redirect_uri", "scope", "state", "auth_code")
DOCUMENTED_VARIABLES: Set[str] = {f"{name}_{part}" for name in PARAMETERS for part in ("key", "value", "param")}
# Filters the platform's renderer allows (its declarative OAuth handler rejects every other one).
ALLOWED_FILTERS = {"urlencode", "replace", "b64encode", "codechallengeS256"}
# Default key names, each overridable by `<name>_key` in oauth_connector_input_specification.
DEFAULT_KEYS = {"client_id": "client_id", "client_secret": "client_secret", "redirect_uri": "redirect_uri",
                "scope": "scope", "state": "state", "auth_code": "code"}
URL_ENCODED_PARAMS = {"redirect_uri", "scope"}
TEMPLATED_FIELDS = ("consent_url", "access_token_url")


def java_form_encode(value: str) -> str:
    """`java.net.URLEncoder.encode(value, UTF_8)`: leaves letters, digits and `.-*_`; space is `+`."""
    return quote_plus(value, safe="*").replace("~", "%7E")


def _b64encode(value: str) -> str:
    return base64.b64encode(value.encode()).decode()


def _environment() -> SandboxedEnvironment:
    environment = SandboxedEnvironment(undefined=jinja2.StrictUndefined, autoescape=False)
    environment.filters = {"urlencode": java_form_encode, "replace": environment.filters["replace"], "b64encode": _b64encode}
    return environment


def templates_of(input_spec: Mapping[str, Any]) -> Dict[str, str]:
    """Every string the platform renders: the two URLs and each header name and value."""
    templates = {field: input_spec[field] for field in TEMPLATED_FIELDS if field in input_spec}
    for name, value in (input_spec.get("access_token_headers") or {}).items():
        templates[f"access_token_headers key {name!r}"] = name
        templates[f"access_token_headers[{name!r}]"] = value
    return templates


def variables_used(template: str) -> Set[str]:
    return set(meta.find_undeclared_variables(_environment().parse(template)))


def filters_used(template: str) -> Set[str]:
    return {node.name for node in _environment().parse(template).find_all(jinja2.nodes.Filter)}


def template_values(input_spec: Mapping[str, Any], client_id: str, redirect_uri: str, state: Optional[str] = None,
                    client_secret: Optional[str] = None, auth_code: Optional[str] = None) -> Dict[str, str]:
    """The documented variables for one step: the consent step knows no secret and no code yet."""
    known = {"client_id": client_id, "client_secret": client_secret, "redirect_uri": redirect_uri,
             "scope": input_spec.get("scope"), "state": state, "auth_code": auth_code}
    values: Dict[str, str] = {}
    for name in PARAMETERS:
        if known[name] is None:
            continue
        key = input_spec.get(f"{name}_key", DEFAULT_KEYS[name])
        value = str(known[name])
        values[f"{name}_key"] = key
        values[f"{name}_value"] = value
        values[f"{name}_param"] = f"{key}={java_form_encode(value) if name in URL_ENCODED_PARAMS else value}"
    return values


def render(template: str, values: Mapping[str, str]) -> str:
    return _environment().from_string(template).render(**values)


def extract_outputs(token_response: Mapping[str, Any], input_spec: Mapping[str, Any], output_spec: Mapping[str, Any],
                    now: dt.datetime) -> Dict[str, Any]:
    """The token endpoint's answer -> the outputs the platform keeps (validated against output_spec)."""
    declared = output_spec.get("properties") or {}
    paths = input_spec.get("extract_output") or [".".join(prop["path_in_oauth_response"]) for prop in declared.values()]
    expiry_key = input_spec.get("token_expiry_key", "expires_in")
    extracted: Dict[str, Any] = {}
    for path in paths:
        value: Any = token_response
        for segment in path.split("."):
            if not isinstance(value, Mapping) or segment not in value:
                raise KeyError(f"the token response has no {path!r}")
            value = value[segment]
        key = path.split(".")[-1]
        extracted[key] = str(value)
        if key == expiry_key:
            expiry = now.astimezone(dt.timezone.utc) + dt.timedelta(seconds=int(value))
            extracted["token_expiry_date"] = expiry.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    kept = {key: value for key, value in extracted.items() if key in declared}
    jsonschema.validate(kept, output_spec, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    return kept


def place(config: MutableMapping[str, Any], values: Mapping[str, Any], output_spec: Mapping[str, Any]) -> None:
    """Writes each value where its `path_in_connector_config` says."""
    for key, value in values.items():
        *parents, leaf = output_spec["properties"][key]["path_in_connector_config"]
        target = config
        for parent in parents:
            target = target.setdefault(parent, {})
        target[leaf] = value


def connector_config_paths(oauth_config_specification: Mapping[str, Any]) -> Iterable[tuple]:
    """(specification name, property, path in the connector config) for every value the platform stores."""
    for spec_name in ("complete_oauth_output_specification", "complete_oauth_server_output_specification"):
        for name, prop in ((oauth_config_specification.get(spec_name) or {}).get("properties") or {}).items():
            yield spec_name, name, tuple(prop.get("path_in_connector_config") or ())
