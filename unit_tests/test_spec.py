"""The spec renders well in Airbyte's form and follows the Airbyte protocol's spec rules.

The CDK's own checks run first: its standard `test_spec` lint (one SPEC message, secrets marked
`airbyte_secret` where the runtime filter masks them) and its config validation. The connector
acceptance test's other spec rules are not in the CDK, so they are a table of rules here, each
shown to catch a broken spec, so none passes by looking at nothing. The `advanced_auth` rules
check the declarative OAuth flow against what the platform does with it (`unit_tests/declarative_oauth.py`).
"""

from __future__ import annotations

import copy
import re
from typing import Any, Callable, Dict, Iterator, List, Mapping, Tuple

import jsonschema
import pytest

from airbyte_cdk.models import ConnectorSpecificationSerializer
from airbyte_cdk.sources.utils.schema_helpers import check_config_against_spec_or_exit
from airbyte_cdk.test.entrypoint_wrapper import _run_command
from airbyte_cdk.test.standard_tests._spec_lint import assert_spec_is_valid, find_secret_marking_errors, get_single_spec

from source_zoom import SourceZoom
from source_zoom.config_migrations import MigrateLegacyConfig
from unit_tests import declarative_oauth
from unit_tests.conftest import JWT_CREDENTIALS, REFRESH_CREDENTIALS, S2S_CREDENTIALS, config_with

Spec = Mapping[str, Any]


@pytest.fixture(scope="module")
def connector_spec():
    output = _run_command(SourceZoom(None), ["spec"])
    return get_single_spec(output, connector_name="source-zoom")


def walk_properties(schema: Spec, path: str = "") -> Iterator[Tuple[str, str, Spec, Spec]]:
    """(path, name, property schema, the object schema declaring it) for every property, oneOf variants included."""
    for name, prop in (schema.get("properties") or {}).items():
        yield f"{path}.{name}", name, prop, schema
        yield from walk_properties(prop, f"{path}.{name}")
    for index, variant in enumerate(schema.get("oneOf") or []):
        yield from walk_properties(variant, f"{path}[{index}]")


def walk_objects(schema: Spec, path: str = "$") -> Iterator[Tuple[str, Spec]]:
    yield path, schema
    for name, prop in (schema.get("properties") or {}).items():
        yield from walk_objects(prop, f"{path}.{name}")
    for index, variant in enumerate(schema.get("oneOf") or []):
        yield from walk_objects(variant, f"{path}[{index}]")


def is_discriminator(prop: Spec) -> bool:
    return "const" in prop


def documentation_url(spec: Spec) -> List[str]:
    url = spec.get("documentationUrl") or ""
    return [] if re.match(r"^https://\S+$", url) else [f"documentationUrl {url!r} is not an https link"]


def valid_json_schema(spec: Spec) -> List[str]:
    try:
        jsonschema.Draft7Validator.check_schema(spec["connectionSpecification"])
    except jsonschema.SchemaError as error:
        return [f"not a draft-07 schema: {error.message}"]
    return []


def secrets_marked(spec: Spec) -> List[str]:
    return find_secret_marking_errors(spec["connectionSpecification"])


def top_level_is_an_open_object(spec: Spec) -> List[str]:
    # The platform adds keys of its own to a config; a closed object would reject them.
    root = spec["connectionSpecification"]
    problems = [] if root.get("type") == "object" else ["connectionSpecification is not an object"]
    return problems + ([] if root.get("additionalProperties", True) is True else ["additionalProperties is not true"])


def required_fields_exist(spec: Spec) -> List[str]:
    return [
        f"{path} requires {field!r}, which it does not declare"
        for path, schema in walk_objects(spec["connectionSpecification"])
        for field in schema.get("required") or []
        if field not in (schema.get("properties") or {})
    ]


def one_of_has_a_const_discriminator(spec: Spec) -> List[str]:
    """The UI picks a variant by a property that every variant fixes with `const` to its own value."""
    problems = []
    for path, schema in walk_objects(spec["connectionSpecification"]):
        variants = schema.get("oneOf")
        if not variants:
            continue
        if schema.get("type") != "object":
            problems.append(f"{path} has oneOf but is not of type object")
        untitled = [index for index, variant in enumerate(variants) if not variant.get("title") or variant.get("type") != "object"]
        if untitled:
            problems.append(f"{path} variants {untitled} lack a title or type object")
        common = set.intersection(*(set(name for name, prop in (v.get("properties") or {}).items() if is_discriminator(prop)) for v in variants))
        required_everywhere = [name for name in sorted(common) if all(name in (v.get("required") or []) for v in variants)]
        if not required_everywhere:
            problems.append(f"{path} has no const property that every variant declares and requires")
            continue
        values = [v["properties"][required_everywhere[0]]["const"] for v in variants]
        if len(set(values)) != len(values):
            problems.append(f"{path} variants share discriminator values {values}")
    return problems


def order_unique_per_object(spec: Spec) -> List[str]:
    problems = []
    for path, schema in walk_objects(spec["connectionSpecification"]):
        orders = [prop.get("order") for prop in (schema.get("properties") or {}).values() if "order" in prop]
        if any(not isinstance(order, int) for order in orders):
            problems.append(f"{path} has an order that is not an integer: {orders}")
        elif len(orders) != len(set(orders)):
            problems.append(f"{path} repeats an order: {sorted(orders)}")
    return problems


def titled_and_described(spec: Spec) -> List[str]:
    return [
        f"{path} lacks {'title' if not prop.get('title') else 'description'}"
        for path, _, prop, _ in walk_properties(spec["connectionSpecification"])
        if not is_discriminator(prop) and not (prop.get("title") and prop.get("description"))
    ]


def patterns_compile_and_are_described(spec: Spec) -> List[str]:
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if "pattern" not in prop:
            continue
        try:
            re.compile(prop["pattern"])
        except re.error as error:
            problems.append(f"{path} pattern does not compile: {error}")
        if not prop.get("pattern_descriptor"):
            problems.append(f"{path} has a pattern without a pattern_descriptor for the form")
    return problems


def date_times_have_a_pattern(spec: Spec) -> List[str]:
    return [
        f"{path} is a date-time without pattern and pattern_descriptor"
        for path, _, prop, _ in walk_properties(spec["connectionSpecification"])
        if prop.get("format") in ("date-time", "date") and not (prop.get("pattern") and prop.get("pattern_descriptor"))
    ]


def inputs_have_valid_examples(spec: Spec) -> List[str]:
    """Every field a person types (not a secret, not a choice) shows examples the field itself accepts."""
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if is_discriminator(prop) or prop.get("airbyte_secret") or prop.get("type") not in ("string", "integer", "number"):
            continue
        examples = prop.get("examples")
        if not examples:
            problems.append(f"{path} has no examples")
            continue
        validator = jsonschema.Draft7Validator(prop, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
        problems += [f"{path} example {example!r}: {error.message}" for example in examples for error in validator.iter_errors(example)]
    return problems


def defaults_are_valid(spec: Spec) -> List[str]:
    problems = []
    for path, _, prop, _ in walk_properties(spec["connectionSpecification"]):
        if "default" in prop:
            problems += [f"{path} default: {error.message}" for error in jsonschema.Draft7Validator(prop).iter_errors(prop["default"])]
    return problems


def oauth_config(spec: Spec) -> Spec:
    return (spec.get("advanced_auth") or {}).get("oauth_config_specification") or {}


def oauth_variant(spec: Spec) -> Spec:
    """The credentials variant that the predicate selects: the one the OAuth button belongs to."""
    advanced_auth = spec.get("advanced_auth") or {}
    *parents, discriminator = advanced_auth.get("predicate_key") or [""]
    schema = spec["connectionSpecification"]
    for parent in parents:
        schema = (schema.get("properties") or {}).get(parent) or {}
    for variant in schema.get("oneOf") or []:
        if ((variant.get("properties") or {}).get(discriminator) or {}).get("const") == advanced_auth.get("predicate_value"):
            return variant
    return {}


def advanced_auth_selects_a_variant(spec: Spec) -> List[str]:
    advanced_auth = spec.get("advanced_auth") or {}
    problems = [] if advanced_auth.get("auth_flow_type") == "oauth2.0" else ["advanced_auth.auth_flow_type is not oauth2.0"]
    if advanced_auth.get("predicate_key") != ["credentials", "auth_type"] or not oauth_variant(spec):
        problems.append(f"predicate {advanced_auth.get('predicate_key')} = {advanced_auth.get('predicate_value')!r} selects no credentials variant")
    return problems


def oauth_outputs_land_in_declared_fields(spec: Spec) -> List[str]:
    """Everything the platform stores goes into the OAuth variant, into a field it declares, and
    every stored credential is a secret (the expiry date is the one plain value)."""
    variant_properties = oauth_variant(spec).get("properties") or {}
    problems = []
    paths = list(declarative_oauth.connector_config_paths(oauth_config(spec)))
    if not paths:
        problems.append("advanced_auth stores nothing in the config")
    for spec_name, name, path in paths:
        if len(path) != 2 or path[0] != "credentials" or path[1] not in variant_properties:
            problems.append(f"{spec_name}.{name} lands at {list(path)}, not a field of the OAuth credentials variant")
        elif path[1] != "token_expiry_date" and not variant_properties[path[1]].get("airbyte_secret"):
            problems.append(f"{spec_name}.{name} lands in credentials.{path[1]}, which is not airbyte_secret")
    return problems


def oauth_templates_use_documented_variables(spec: Spec) -> List[str]:
    input_spec = oauth_config(spec).get("oauth_connector_input_specification") or {}
    user_inputs = set(((oauth_config(spec).get("oauth_user_input_from_connector_config_specification") or {}).get("properties") or {}))
    problems = [] if all(field in input_spec for field in declarative_oauth.TEMPLATED_FIELDS) else ["consent_url or access_token_url missing"]
    for where, template in declarative_oauth.templates_of(input_spec).items():
        unknown = declarative_oauth.variables_used(template) - declarative_oauth.DOCUMENTED_VARIABLES - user_inputs
        filters = declarative_oauth.filters_used(template) - declarative_oauth.ALLOWED_FILTERS
        problems += [f"{where} uses undocumented variables {sorted(unknown)}"] if unknown else []
        problems += [f"{where} uses filters the platform refuses: {sorted(filters)}"] if filters else []
    if "consent_url" in input_spec and any(name.startswith("client_secret") for name in declarative_oauth.variables_used(input_spec["consent_url"])):
        problems.append("consent_url, which goes to the user's browser, carries the client secret")
    return problems


def oauth_outputs_follow_extract_output(spec: Spec) -> List[str]:
    """Each stored output names where it is in Zoom's answer, under the key the platform gives it
    (the path's last segment; `token_expiry_date` for the expiry), and extract_output asks for it."""
    input_spec = oauth_config(spec).get("oauth_connector_input_specification") or {}
    extract_output = input_spec.get("extract_output")
    expiry_key = input_spec.get("token_expiry_key", "expires_in")
    problems = []
    declared = (oauth_config(spec).get("complete_oauth_output_specification") or {}).get("properties") or {}
    for name, prop in declared.items():
        path = prop.get("path_in_oauth_response") or []
        if not path:
            problems.append(f"{name} has no path_in_oauth_response")
            continue
        if name != path[-1] and not (name == "token_expiry_date" and path[-1] == expiry_key):
            problems.append(f"{name} is extracted as {path[-1]!r}, so the platform never stores it under {name!r}")
        if extract_output is not None and ".".join(path) not in extract_output:
            problems.append(f"{name}: extract_output {extract_output} does not ask for {'.'.join(path)!r}")
    return problems


SPEC_RULES: Dict[str, Callable[[Spec], List[str]]] = {
    "documentation_url": documentation_url,
    "valid_json_schema": valid_json_schema,
    "secrets_marked": secrets_marked,
    "top_level_is_an_open_object": top_level_is_an_open_object,
    "required_fields_exist": required_fields_exist,
    "one_of_has_a_const_discriminator": one_of_has_a_const_discriminator,
    "order_unique_per_object": order_unique_per_object,
    "titled_and_described": titled_and_described,
    "patterns_compile_and_are_described": patterns_compile_and_are_described,
    "date_times_have_a_pattern": date_times_have_a_pattern,
    "inputs_have_valid_examples": inputs_have_valid_examples,
    "defaults_are_valid": defaults_are_valid,
    "advanced_auth_selects_a_variant": advanced_auth_selects_a_variant,
    "oauth_outputs_land_in_declared_fields": oauth_outputs_land_in_declared_fields,
    "oauth_templates_use_documented_variables": oauth_templates_use_documented_variables,
    "oauth_outputs_follow_extract_output": oauth_outputs_follow_extract_output,
}


def broken(spec: Spec, change: Callable[[Dict[str, Any]], None]) -> Dict[str, Any]:
    copied = copy.deepcopy(spec)
    change(copied)
    return copied


def credentials(spec: Dict[str, Any]) -> Dict[str, Any]:
    return spec["connectionSpecification"]["properties"]["credentials"]


def start_date(spec: Dict[str, Any]) -> Dict[str, Any]:
    return spec["connectionSpecification"]["properties"]["start_date"]


def oauth_spec(spec: Dict[str, Any], part: str) -> Dict[str, Any]:
    return spec["advanced_auth"]["oauth_config_specification"][part]


def oauth_output(spec: Dict[str, Any], name: str) -> Dict[str, Any]:
    return oauth_spec(spec, "complete_oauth_output_specification")["properties"][name]


# One way to break the spec that each rule must catch.
BREAKAGES: Dict[str, Callable[[Dict[str, Any]], None]] = {
    "documentation_url": lambda s: s.pop("documentationUrl"),
    "valid_json_schema": lambda s: start_date(s).update(type="date"),
    "secrets_marked": lambda s: credentials(s)["oneOf"][0]["properties"]["client_secret"].pop("airbyte_secret"),
    "top_level_is_an_open_object": lambda s: s["connectionSpecification"].update(additionalProperties=False),
    "required_fields_exist": lambda s: s["connectionSpecification"]["required"].append("api_key"),
    "one_of_has_a_const_discriminator": lambda s: credentials(s)["oneOf"][1]["properties"]["auth_type"].update(const="server_to_server_oauth"),
    "order_unique_per_object": lambda s: start_date(s).update(order=0),
    "titled_and_described": lambda s: start_date(s).pop("description"),
    "patterns_compile_and_are_described": lambda s: start_date(s).pop("pattern_descriptor"),
    "date_times_have_a_pattern": lambda s: start_date(s).pop("pattern"),
    "inputs_have_valid_examples": lambda s: start_date(s).update(examples=["01/01/2026"]),
    "defaults_are_valid": lambda s: s["connectionSpecification"]["properties"]["num_workers"].update(default=0),
    "advanced_auth_selects_a_variant": lambda s: s["advanced_auth"].update(predicate_value="oauth2_authorization_code"),
    "oauth_outputs_land_in_declared_fields": lambda s: oauth_output(s, "refresh_token").update(path_in_connector_config=["refresh_token"]),
    "oauth_templates_use_documented_variables": lambda s: oauth_spec(s, "oauth_connector_input_specification").update(
        consent_url="https://zoom.us/oauth/authorize?response_type=code&client_id={{ client_id }}&{{ redirect_uri_param }}&{{ state_param }}"),
    "oauth_outputs_follow_extract_output": lambda s: oauth_output(s, "access_token").update(path_in_oauth_response=["token"]),
}


def test_given_the_spec_command_then_the_cdks_standard_spec_lint_passes(connector_spec):
    assert_spec_is_valid(connector_spec, connector_name="source-zoom")


@pytest.mark.parametrize("rule", sorted(SPEC_RULES))
def test_given_the_spec_then_it_follows_the_rule(connector_spec, rule):
    spec = ConnectorSpecificationSerializer.dump(connector_spec)

    assert SPEC_RULES[rule](spec) == []


@pytest.mark.parametrize("rule", sorted(SPEC_RULES))
def test_given_a_spec_broken_for_the_rule_then_the_rule_reports_it(connector_spec, rule):
    spec = ConnectorSpecificationSerializer.dump(connector_spec)

    assert SPEC_RULES[rule](broken(spec, BREAKAGES[rule])) != []


def test_given_the_spec_then_the_oauth_flow_is_zooms_authorization_code_flow(connector_spec):
    input_spec = oauth_spec(ConnectorSpecificationSerializer.dump(connector_spec), "oauth_connector_input_specification")

    assert input_spec["consent_url"].startswith("https://zoom.us/oauth/authorize?response_type=code&")
    assert input_spec["access_token_url"].startswith("https://zoom.us/oauth/token?grant_type=authorization_code&")
    assert input_spec["access_token_headers"]["Authorization"].startswith("Basic ")
    assert "access_token_params" not in input_spec  # the platform would send them as JSON, which Zoom does not read


@pytest.mark.parametrize(
    "config",
    [
        config_with(S2S_CREDENTIALS),
        config_with(REFRESH_CREDENTIALS, num_workers=20, api_base_url="https://api.zoomgov.com/v2", oauth_token_url="https://zoomgov.com/oauth/token"),
        config_with(JWT_CREDENTIALS),
        MigrateLegacyConfig.transform({"client_id": "c", "client_secret": "s", "refresh_token": "r", "start_date": "2026-01-01T00:00:00Z"}),
        MigrateLegacyConfig.transform({"account_id": "a", "client_id": "c", "client_secret": "s", "authorization_endpoint": "https://zoom.us/oauth/token"}),
        config_with({**REFRESH_CREDENTIALS, "access_token": "a", "token_expiry_date": "2026-12-01T10:40:00.123Z"}),
    ],
    ids=["server_to_server", "refresh_token_zoomgov", "jwt", "migrated_stitch", "migrated_airbyte", "authenticated_in_airbyte"],
)
def test_given_a_valid_or_migrated_config_then_the_cdks_config_validation_accepts_it(connector_spec, config):
    check_config_against_spec_or_exit(config, connector_spec)
