"""manifest.yml, manifest-http.yml and the Procfile: valid, and consistent with what the code does."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "tests" / "data" / "slack-app-manifest.schema.json"
SHARED_SCHEMA = ROOT.parent / "shared" / "reference" / "slack-app-manifest.schema.json"
MANIFESTS = ["manifest.yml", "manifest-http.yml", "manifest-workflow.yml"]


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / name).read_text())


@pytest.mark.parametrize("name", MANIFESTS)
def test_manifest_validates_against_slacks_schema(name: str) -> None:
    """Each manifest validates against Slack's own app-manifest JSON Schema."""
    jsonschema.validate(load(name), json.loads(SCHEMA.read_text()))


def test_vendored_schema_matches_the_team_reference() -> None:
    """tests/data holds an unmodified copy of the team's reference schema (slackapi/manifest-schema)."""
    if not SHARED_SCHEMA.exists():
        pytest.skip("the team's shared reference is not next to this checkout")
    assert SCHEMA.read_bytes() == SHARED_SCHEMA.read_bytes()


def test_schema_catches_a_broken_manifest() -> None:
    """The check can fail: a command without its leading slash is rejected."""
    broken = load("manifest.yml")
    broken["features"]["slash_commands"][0]["command"] = "dms"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, json.loads(SCHEMA.read_text()))


def test_socket_mode_and_http_variants() -> None:
    """manifest.yml is Socket Mode with no URLs; the HTTP variant points everything at /slack/events."""
    socket, http = load("manifest.yml"), load("manifest-http.yml")
    assert socket["settings"]["socket_mode_enabled"] is True
    assert "url" not in socket["features"]["slash_commands"][0]
    assert http["settings"]["socket_mode_enabled"] is False
    urls = [
        http["features"]["slash_commands"][0]["url"],
        http["settings"]["interactivity"]["request_url"],
        http["settings"]["event_subscriptions"]["request_url"],
    ]
    assert all(u.endswith("/slack/events") for u in urls)
    assert socket["oauth_config"] == http["oauth_config"]


def test_scopes_are_only_what_the_app_uses() -> None:
    """Every bot scope is justified by an API method the code calls."""
    needed = {
        "commands": "app.command(",
        "chat:write": "chat_postMessage",
        "files:write": "files_upload_v2",
        "usergroups:read": "usergroups_users_list",
        "channels:read": "conversations_info(",
        "groups:read": "conversations_info(",
    }
    code = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    scopes = load("manifest.yml")["oauth_config"]["scopes"]["bot"]
    assert set(scopes) <= set(needed)
    for scope in scopes:
        assert needed[scope] in code, f"{scope} is requested but nothing calls {needed[scope]}"


def test_the_workflow_step_lives_only_in_its_own_manifest() -> None:
    """manifest.yml installs on any workspace (no functions, not org-wide); manifest-workflow.yml is
    the same app plus the org-ready step and the event that runs it."""
    plain, workflow = load("manifest.yml"), load("manifest-workflow.yml")
    assert "functions" not in plain and plain["settings"]["org_deploy_enabled"] is False
    assert "function_executed" not in plain["settings"]["event_subscriptions"]["bot_events"]
    assert workflow["settings"]["org_deploy_enabled"] is True
    assert workflow["settings"]["event_subscriptions"]["bot_events"] == [
        *plain["settings"]["event_subscriptions"]["bot_events"],
        "function_executed",
    ]
    for key in ("display_information", "features", "oauth_config"):
        assert workflow[key] == plain[key]


def test_the_step_declared_is_the_step_the_code_registers() -> None:
    """Callback id, inputs and outputs (names, types) match what the listener reads and answers."""
    from bot.render.ready import step_outputs
    from bot.slack.listeners.functions.cutover_gate import CALLBACK_ID
    from tests.support.readiness import READY

    step = load("manifest-workflow.yml")["functions"][CALLBACK_ID]
    inputs, outputs = step["input_parameters"], step["output_parameters"]
    assert {n: (p["type"], p["is_required"]) for n, p in inputs.items()} == {
        "task": ("string", True),
        "max_lag": ("string", False),
    }
    answered = step_outputs(READY, max_lag=5, steady=300)
    types = {bool: "boolean", str: "string"}
    assert {n: p["type"] for n, p in outputs.items()} == {n: types[type(v)] for n, v in answered.items()}
    assert all(p["name"] == n for n, p in {**inputs, **outputs}.items())


def test_procfile_has_both_process_types() -> None:
    """worker runs Socket Mode; web runs HTTP mode on $PORT."""
    lines = dict(re.findall(r"^(\w+):\s*(.+)$", (ROOT / "Procfile").read_text(), re.M))
    assert lines["worker"] == "python -m bot serve"
    assert "--http" in lines["web"] and "$PORT" in lines["web"]
