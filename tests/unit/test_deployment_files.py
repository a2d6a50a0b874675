"""manifest.yml, manifest-http.yml, the Procfile, the Dockerfile and the README's Kubernetes example: valid,
and consistent with what the code does and with each other."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest
import yaml

from bot import __version__
from bot.settings import Settings
from tests.support.deployment_files import image_facts, readme_deployment

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
        "channels:history": "conversations_history(",
        "groups:history": "conversations_history(",
    }
    code = "\n".join(p.read_text() for p in (ROOT / "bot").rglob("*.py"))
    scopes = load("manifest.yml")["oauth_config"]["scopes"]["bot"]
    assert set(scopes) <= set(needed)
    for scope in scopes:
        assert needed[scope] in code, f"{scope} is requested but nothing calls {needed[scope]}"


def test_history_scopes_for_exactly_once_posts() -> None:
    """Reading a channel back (a post whose answer was lost) needs both history scopes, in both variants."""
    for name in ("manifest.yml", "manifest-http.yml", "manifest-workflow.yml"):
        scopes = load(name)["oauth_config"]["scopes"]["bot"]
        assert {"channels:history", "groups:history"} <= set(scopes), name


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


# --- The Dockerfile and the README's Kubernetes example agree (port, probes, user, command) ---


def disagreements(image: dict, deployment: dict) -> list[str]:
    """Every way the Deployment would not run the image as the Dockerfile means it to."""
    pod = deployment["spec"]["template"]["spec"]
    (spec,) = pod["containers"]
    port = int(image["env"]["PORT"])
    named = {p["name"]: p["containerPort"] for p in spec["ports"]}
    security = {**pod.get("securityContext", {}), **spec.get("securityContext", {})}
    uid, gid = (int(part) for part in image["user"].split(":"))
    mounts = {m["mountPath"] for m in spec.get("volumeMounts", [])}
    checks = {
        "EXPOSE and PORT are one port": image["expose"] == [str(port)],
        "containerPort is the image's port": named.get("http") == port,
        "the image's ENTRYPOINT runs (no command override)": "command" not in spec,
        "args run the image's CMD in HTTP mode": spec.get("args") == [*image["cmd"], "--http"],
        "readiness probes /healthz on that port": spec["readinessProbe"]["httpGet"]
        in ({"path": "/healthz", "port": "http"}, {"path": "/healthz", "port": port}),
        "liveness runs the image's HEALTHCHECK": spec["livenessProbe"]["exec"]["command"]
        == image["healthcheck"],
        "liveness keeps the HEALTHCHECK's timing": {
            k: spec["livenessProbe"].get(f)
            for k, f in (
                ("interval", "periodSeconds"),
                ("timeout", "timeoutSeconds"),
                ("start-period", "initialDelaySeconds"),
                ("retries", "failureThreshold"),
            )
        }
        == image["healthcheck_timing"],
        "runAsUser/runAsGroup are the image's USER": (security.get("runAsUser"), security.get("runAsGroup"))
        == (uid, gid),
        "runAsNonRoot": security.get("runAsNonRoot") is True,
        "a read-only root with the image's volume mounted": security.get("readOnlyRootFilesystem") is True
        and set(image["volumes"]) <= mounts,
        "the image tag is the package version": spec["image"].endswith(f":{image['version']}"),
        "grace period outlasts the shutdown deadline": pod["terminationGracePeriodSeconds"]
        > Settings().shutdown_deadline,
    }
    return [name for name, ok in checks.items() if not ok]


def test_dockerfile_and_the_kubernetes_example_agree() -> None:
    """Port, probes, user, command, volume, version: the README deploys the image the Dockerfile builds."""
    image = image_facts()
    assert disagreements(image, readme_deployment()) == []
    assert image["entrypoint"] == ["dms-bot"] and image["cmd"] == ["serve"]
    assert image["env"]["DMS_BOT_DB"].startswith(image["volumes"][0] + "/")
    assert image["env"]["MPLCONFIGDIR"].startswith(image["volumes"][0] + "/")
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert image["version"] == __version__ and f'version = "{__version__}"' in pyproject


def test_the_agreement_check_can_fail() -> None:
    """Drift on either side is caught: another port, another probe, root, a command override."""
    image = image_facts()
    drifts = {
        "containerPort is the image's port": lambda c: c["ports"][0].update(containerPort=8080),
        "liveness runs the image's HEALTHCHECK": lambda c: c["livenessProbe"]["exec"].update(
            command=["python", "-c", "import sys; sys.exit(0)"]
        ),
        "runAsUser/runAsGroup are the image's USER": lambda c: c["securityContext"].update(runAsUser=0),
        "the image's ENTRYPOINT runs (no command override)": lambda c: c.update(command=["sh"]),
    }
    for name, drift in drifts.items():
        deployment = readme_deployment()
        drift(deployment["spec"]["template"]["spec"]["containers"][0])
        assert name in disagreements(image, deployment), name
    dockerfile = (ROOT / "Dockerfile").read_text()
    edits = {
        "EXPOSE and PORT are one port": ("EXPOSE 3000", "EXPOSE 8080"),
        "containerPort is the image's port": ("PORT=3000", "PORT=8080"),
        "runAsUser/runAsGroup are the image's USER": ("USER 10001:10001", "USER 10002:10002"),
        "liveness runs the image's HEALTHCHECK": ("timeout=5", "timeout=1"),
        "liveness keeps the HEALTHCHECK's timing": ("--retries=3", "--retries=5"),
    }
    for name, (old, new) in edits.items():
        assert old in dockerfile, old
        assert name in disagreements(image_facts(dockerfile.replace(old, new)), readme_deployment()), name
