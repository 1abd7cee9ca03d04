"""The spec's declarative OAuth flow, run as the Airbyte platform runs it, against the fake Zoom API.

The consent URL and the token request are rendered from `main.py spec` with the template
variables Airbyte's declarative OAuth docs define (`unit_tests/declarative_oauth.py`), checked
against Zoom's documented authorization-code flow (GET https://zoom.us/oauth/authorize with
response_type=code, client_id, redirect_uri, state; POST https://zoom.us/oauth/token with
grant_type=authorization_code, code, redirect_uri and the client id and secret as HTTP Basic),
and then sent to the fake with Zoom's origin swapped for the fake's. The outputs go where
`complete_oauth_output_specification` says, and a full sync runs with that config.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any, Dict, Mapping
from urllib.parse import parse_qs, urlsplit

import jsonschema
import pytest
import requests

from fake_zoom.server import FakeZoomServer
from integration_tests.sync_support import compare_records, discover_streams, full_catalog, records_by_table, run_connector
from unit_tests import declarative_oauth

pytestmark = pytest.mark.integration

ZOOM_ORIGIN = "https://zoom.us"
# A redirect URI with its own query: if the spec put it into a URL unencoded, its `&` would split
# the consent URL's query and Zoom would see another redirect_uri.
REDIRECT_URI = "http://localhost:8000/auth_flow?from=zoom&step=1"
STATE = "Qx7-state_value.1"


@pytest.fixture(scope="module")
def spec() -> Dict[str, Any]:
    code, messages, stderr = run_connector("spec", {})
    assert code == 0, stderr[-2000:]
    (connector_spec,) = [m["spec"] for m in messages if m["type"] == "SPEC"]
    return connector_spec


@pytest.fixture(scope="module")
def oauth(spec) -> Dict[str, Any]:
    return spec["advanced_auth"]["oauth_config_specification"]


@pytest.fixture(scope="module")
def input_spec(oauth) -> Dict[str, Any]:
    return oauth["oauth_connector_input_specification"]


def consent_url(input_spec: Mapping[str, Any], client_id: str) -> str:
    values = declarative_oauth.template_values(input_spec, client_id=client_id, redirect_uri=REDIRECT_URI, state=STATE)
    return declarative_oauth.render(input_spec["consent_url"], values)


def token_request(input_spec: Mapping[str, Any], client_id: str, client_secret: str, code: str):
    values = declarative_oauth.template_values(input_spec, client_id=client_id, redirect_uri=REDIRECT_URI, state=STATE,
                                               client_secret=client_secret, auth_code=code)
    url = declarative_oauth.render(input_spec["access_token_url"], values)
    headers = {declarative_oauth.render(name, values): declarative_oauth.render(value, values)
               for name, value in (input_spec.get("access_token_headers") or {}).items()}
    return url, headers


def query_of(url: str) -> Dict[str, list]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True, strict_parsing=True)


def at_the_fake(fake: FakeZoomServer, zoom_url: str) -> str:
    assert zoom_url.startswith(ZOOM_ORIGIN + "/"), zoom_url
    return fake.url + zoom_url[len(ZOOM_ORIGIN):]


def test_given_the_spec_when_rendering_the_consent_url_then_it_is_zooms_authorization_request(input_spec):
    url = consent_url(input_spec, client_id="my-client-id")

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "zoom.us", "/oauth/authorize")
    assert query_of(url) == {"response_type": ["code"], "client_id": ["my-client-id"], "redirect_uri": [REDIRECT_URI], "state": [STATE]}


def test_given_the_spec_when_rendering_the_token_request_then_it_is_zooms_code_exchange_with_basic_auth(input_spec):
    url, headers = token_request(input_spec, client_id="my-client-id", client_secret="my-secret", code="the-code")

    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "zoom.us", "/oauth/token")
    assert query_of(url) == {"grant_type": ["authorization_code"], "code": ["the-code"], "redirect_uri": [REDIRECT_URI]}
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"my-client-id:my-secret").decode()
    assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert "my-secret" not in url


@pytest.fixture(scope="module")
def authenticated(fake, spec, oauth, input_spec) -> Dict[str, Any]:
    """The whole button flow: consent at the fake, the code back at the redirect URI, the exchange,
    the outputs stored in the config. Returns that config and what the exchange answered."""
    client_id, client_secret = fake.config.client_id, fake.config.client_secret
    consent = requests.get(at_the_fake(fake, consent_url(input_spec, client_id)), allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    location = consent.headers["Location"]
    assert location.startswith(REDIRECT_URI.split("?")[0] + "?")
    callback = {key: values[0] for key, values in query_of(location).items()}
    assert callback["state"] == STATE and callback["from"] == "zoom" and callback["step"] == "1"

    url, headers = token_request(input_spec, client_id, client_secret, callback["code"])
    # No access_token_params in the spec: the platform posts an empty form body.
    exchanged = requests.post(at_the_fake(fake, url), headers=headers, data=b"", timeout=10)
    assert exchanged.status_code == 200, exchanged.text
    answer = exchanged.json()

    outputs = declarative_oauth.extract_outputs(answer, input_spec, oauth["complete_oauth_output_specification"], dt.datetime.now(dt.timezone.utc))
    config = {key: value for key, value in fake.connector_config("oauth2_refresh_token").items() if key != "credentials"}
    config["credentials"] = {spec["advanced_auth"]["predicate_key"][-1]: spec["advanced_auth"]["predicate_value"]}
    # The client id and secret are what the user typed next to the button.
    declarative_oauth.place(config, {"client_id": client_id, "client_secret": client_secret}, oauth["complete_oauth_server_output_specification"])
    declarative_oauth.place(config, outputs, oauth["complete_oauth_output_specification"])
    return {"config": config, "answer": answer}


def test_given_the_button_flow_then_the_stored_config_holds_the_exchanged_tokens_and_passes_the_spec(fake, spec, authenticated):
    credentials = authenticated["config"]["credentials"]
    answer = authenticated["answer"]

    assert credentials["auth_type"] == "oauth2_refresh_token"
    assert credentials["refresh_token"] == answer["refresh_token"] == fake.current_refresh_token
    assert credentials["access_token"] == answer["access_token"]
    expiry = dt.datetime.fromisoformat(credentials["token_expiry_date"].replace("Z", "+00:00"))
    assert abs((expiry - dt.datetime.now(dt.timezone.utc)).total_seconds() - int(answer["expires_in"])) < 60
    jsonschema.validate(authenticated["config"], spec["connectionSpecification"])


@pytest.mark.slow  # a full sync of every table
def test_given_the_config_from_the_button_flow_then_a_full_sync_equals_the_ground_truth(fake, authenticated):
    config = authenticated["config"]
    obtained_refresh_token = config["credentials"]["refresh_token"]
    # Discovery needs no Zoom login; the JWT keeps the single-use refresh token for the sync.
    discovered = discover_streams(fake.connector_config("jwt"))

    code, messages, stderr = run_connector("read", config, full_catalog(discovered))

    assert code == 0, stderr[-3000:]
    keys = {stream["name"]: stream["source_defined_primary_key"] for stream in discovered}
    assert compare_records(records_by_table(messages), fake.ground_truth(config["start_date"]), keys) == {}
    stored = [m["control"]["connectorConfig"]["config"] for m in messages if m["type"] == "CONTROL"]
    # The token from the exchange was spent by the sync's login; Airbyte keeps the rotated one.
    assert stored and stored[-1]["credentials"]["refresh_token"] == fake.current_refresh_token != obtained_refresh_token
