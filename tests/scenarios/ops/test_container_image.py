"""The Dockerfile, built and run with podman on a Debian base made by mmdebstrap (no registry here).

Built once per session (tests/support/container.py: the flags, the base, the pip settings); then the
image runs read-only, as uid 10001, with its store on a mounted /data: ``check --format json``
against the simulator, ``serve --http`` answering /healthz and its own HEALTHCHECK, a SIGTERM that
exits 0 within the shutdown deadline. Skipped (one line) without podman/mmdebstrap; failed under CI.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from bot import __version__
from bot.sim import DEMO_SCENARIO, SimServer, load_scenario
from tests.support import container
from tests.support.cli_process import aws_env
from tests.support.deployment_files import readme_deployment
from tests.support.fakes.slack_api import BOT_TOKEN, FakeSlackApi
from tests.support.serve_process import SIGNING_SECRET, free_port

pytestmark = pytest.mark.slow
MISSING = container.missing_tools()
NEEDS = f"the container image test needs {', '.join(MISSING)} (apt-get install podman mmdebstrap runc)"
if MISSING and os.environ.get("CI") != "true":
    pytest.skip(NEEDS, allow_module_level=True)  # a laptop without podman: one line, not nine
DEADLINE = 5.0  # DMS_BOT_SHUTDOWN_DEADLINE given to the container
READ_ONLY = ("--read-only", "--read-only-tmpfs=false")  # not even /tmp is writable


@dataclass(frozen=True)
class Image:
    id: str
    base: str
    config: dict[str, Any]
    healthcheck: dict[str, Any]
    history: str


@pytest.fixture(scope="module")
def image(tmp_path_factory: pytest.TempPathFactory) -> Image:
    if MISSING:
        pytest.fail(NEEDS)  # under CI=true: the image must be built and run
    base, _ = container.ensure_base()
    iid = tmp_path_factory.mktemp("image") / "iid"
    container.build_image(base, "localhost/dms-bot:test", iidfile=iid)
    image_id = iid.read_text().strip()
    inspected = json.loads(container.podman("image", "inspect", image_id).stdout)[0]
    history = container.podman("image", "history", "--no-trunc", "--format", "{{.CreatedBy}}", image_id)
    return Image(image_id, base, inspected["Config"], inspected.get("Healthcheck") or {}, history.stdout)


def run(
    image: Image, *args: str, options: tuple[str, ...] = (), timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    return container.podman(
        "run", "--rm", *container.RUN_FLAGS, *options, image.id, *args, timeout=timeout, check=False
    )


def env_options(env: dict[str, str]) -> tuple[str, ...]:
    return tuple(f"--env={name}={value}" for name, value in env.items())


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A host directory for /data that the image's user (uid 10001) can write."""
    path = tmp_path / "data"
    path.mkdir()
    path.chmod(0o777)
    return path


def test_the_image_says_how_it_runs(image: Image) -> None:
    """Entry point, command, user, port, volume, store path, health check, labels: as documented."""
    config = image.config
    assert config["Entrypoint"] == ["dms-bot"] and config["Cmd"] == ["serve"]
    assert config["User"] == "10001:10001"
    assert set(config["ExposedPorts"]) == {"3000/tcp"}
    assert set(config["Volumes"]) == {"/data"}
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["PORT"] == "3000" and env["DMS_BOT_DB"] == "/data/dms-bot.sqlite3"
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"
    assert env["MPLCONFIGDIR"].startswith("/data/")
    probe = readme_deployment()["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    assert image.healthcheck["Test"] == ["CMD", *probe["exec"]["command"]]  # the README's liveness probe
    labels = config["Labels"]
    assert labels["org.opencontainers.image.version"] == __version__
    assert labels["org.opencontainers.image.licenses"] == "Apache-2.0"
    assert labels["org.opencontainers.image.source"]


def test_no_build_setting_or_tool_is_left_in_the_image(image: Image) -> None:
    """No pip setting, certificate path or mirror in the config or the history; no pip, no compiler."""
    baked = json.dumps(image.config) + image.history
    assert "PIP_" not in baked
    for name, value in container.host_pip_settings().items():
        assert all(item not in baked for item in value.split()), name
    builders = [str(p) for p in container.local_paths(container.host_pip_settings())]
    exists = "import os, sys; print(*[p for p in sys.argv[1:] if os.path.exists(p)])"
    on_base = container.podman(
        "run", "--rm", *container.RUN_FLAGS, "--entrypoint=python3", image.base, "-c", exists, *builders
    )
    on_image = run(image, "-c", exists, *builders, options=("--entrypoint=python",))
    assert on_image.stdout.split() == on_base.stdout.split()  # no mount point of the build's volumes left
    probe = "import importlib.util, shutil; print(importlib.util.find_spec('pip'), shutil.which('pip'), shutil.which('cc'), shutil.which('gcc'))"
    result = run(image, "-c", probe, options=("--entrypoint=python", *READ_ONLY))
    assert result.stdout.split() == ["None"] * 4, result.stderr


def test_it_runs_as_a_non_root_user(image: Image) -> None:
    result = run(image, "-u", options=("--entrypoint=id",))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10001"


@pytest.mark.parametrize("mount", ["--tmpfs=/data", "--volume=dms-bot-test-{}:/data"])
def test_data_is_writable_by_the_images_user_on_a_tmpfs_or_a_new_volume(image: Image, mount: str) -> None:
    """``--read-only --tmpfs /data`` and a fresh named volume both work without a chown."""
    mount = mount.format(uuid.uuid4().hex[:8])
    write = "import os; open('/data/probe', 'w').close(); print(os.getuid())"
    try:
        result = run(image, "-c", write, options=("--entrypoint=python", *READ_ONLY, mount))
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "10001"
    finally:
        if "--volume" in mount:
            container.podman("volume", "rm", "--force", mount.split("=")[1].split(":")[0], check=False)


def test_the_procfiles_python_m_bot_works_in_the_image(image: Image) -> None:
    """The Procfile's ``python -m bot …`` runs there too (a buildpack-style command on the image)."""
    result = run(image, "-m", "bot", "--version", options=("--entrypoint=python", *READ_ONLY))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"dms-bot {__version__}"


def test_check_json_against_the_simulator_read_only(
    image: Image, start_sim: Callable[..., SimServer], data_dir: Path
) -> None:
    """``dms-bot check --format json`` in the image: the demo fleet's verdicts, exit 1 (failures)."""
    sim = start_sim(load_scenario(DEMO_SCENARIO))
    options = ("--network=host", *READ_ONLY, f"--volume={data_dir}:/data", *env_options(aws_env(sim)))
    result = run(image, "check", "--format", "json", options=options)
    assert result.returncode == 1, result.stderr
    doc = json.loads(result.stdout)
    # The demo: six tasks and one DMS Serverless replication (failing), judged inside the image.
    assert doc["summary"] == {"tasks": 7, "ok": 3, "warning": 1, "failure": 3, "errors": 0}
    assert {t["kind"] for t in doc["tasks"]} == {"task", "serverless"}


def test_matplotlib_caches_its_fonts_under_data_on_a_read_only_root(image: Image, data_dir: Path) -> None:
    code = "from bot.render.chart_setup import load_matplotlib; load_matplotlib(); import matplotlib.font_manager"
    result = run(image, "-c", code, options=("--entrypoint=python", *READ_ONLY, f"--volume={data_dir}:/data"))
    assert result.returncode == 0, result.stderr
    assert "Matplotlib" not in result.stderr  # no "created a temporary cache directory" warning
    assert list((data_dir / ".matplotlib").glob("fontlist-*.json"))


@pytest.fixture
def serving(
    image: Image, start_sim: Callable[..., SimServer], slack: FakeSlackApi, data_dir: Path
) -> Iterator[tuple[str, str]]:
    """``serve --http`` in a detached, read-only container on the host network: (name, base URL)."""
    sim, port, name = (
        start_sim(load_scenario(DEMO_SCENARIO)),
        free_port(),
        f"dms-bot-test-{uuid.uuid4().hex[:8]}",
    )
    env = {
        **aws_env(sim),
        "PORT": str(port),
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack.url,
        "DMS_BOT_SHUTDOWN_DEADLINE": str(DEADLINE),
    }
    options = ("--network=host", *READ_ONLY, f"--volume={data_dir}:/data", *env_options(env))
    container.podman(
        "run", "--detach", f"--name={name}", *container.RUN_FLAGS, *options, image.id, "serve", "--http"
    )
    try:
        yield name, f"http://127.0.0.1:{port}"
    finally:
        container.podman("rm", "--force", "--time=0", name, check=False)


def wait_for_ready(name: str, url: str, timeout: float = 30.0) -> dict[str, Any]:
    deadline, last = time.monotonic() + timeout, "no answer"
    while time.monotonic() < deadline:
        try:
            answer = requests.get(f"{url}/healthz", timeout=2)
            if answer.status_code == 200:
                return dict(answer.json())
            last = f"{answer.status_code} {answer.text}"
        except requests.ConnectionError as exc:
            last = str(exc)
        time.sleep(0.2)
    logs = container.podman("logs", name, check=False)
    raise AssertionError(f"/healthz never answered 200; last: {last}\n{logs.stdout}{logs.stderr}")


def test_serve_http_is_healthy_and_stops_on_sigterm_in_time(serving: tuple[str, str], data_dir: Path) -> None:
    """/healthz 200 and live; the image's own HEALTHCHECK passes; SIGTERM exits 0 within the deadline."""
    name, url = serving
    health = wait_for_ready(name, url)
    assert health["live"] is True
    check = container.podman("healthcheck", "run", name, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    sent = time.monotonic()
    container.podman("kill", "--signal=TERM", name)
    code = container.podman("wait", name, timeout=DEADLINE + 30).stdout.strip()
    elapsed = time.monotonic() - sent
    logs = container.podman("logs", name, check=False)
    assert code == "0", logs.stdout + logs.stderr
    assert elapsed < DEADLINE + 5, f"took {elapsed:.1f}s"
    assert (data_dir / "dms-bot.sqlite3").is_file()  # the store went to the volume
