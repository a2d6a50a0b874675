"""Podman on this kind of machine, written down once: its flags, the Debian base, the image build.

No registry is reachable, so the base image is made from Debian packages (``mmdebstrap`` from the
machine's own apt sources, then ``podman import``) and cached as ``localhost/dms-bot-ci-base:<key>``
in podman's store, ``key`` a hash of everything that goes into it: a second run reuses it, and a
change of packages or sources makes a new one. The project's Dockerfile is then built on it with
``--build-arg BASE_IMAGE``.

On these machines podman runs containers only with ``runc``, cgroupfs and explicit ulimits, and
builds only with chroot isolation; ``--format docker`` keeps the Dockerfile's HEALTHCHECK (the OCI
format has no field for it).

The build's pip uses the machine's pip settings (index, mirrors, certificate authority, find-links,
constraints: ``pip config list`` plus ``PIP_*``) as build args of the build stage, and every local
path they name is mounted read-only at the same path, for the build's RUN steps only: nothing of it
is written into the image.

By hand: ``python -m tests.support.container build [TAG]`` builds the image as the test does.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[2]
TOOLS = ("podman", "mmdebstrap", "runc")
PODMAN = ("podman", "--runtime", "runc", "--cgroup-manager=cgroupfs")
LIMITS = ("--ulimit", "nofile=4096:4096", "--ulimit", "nproc=4096:4096")
BUILD_FLAGS = ("--isolation=chroot", "--format", "docker", *LIMITS)
RUN_FLAGS = (*LIMITS, "--health-interval=disable")  # no systemd timer here: `healthcheck run` by hand
SUITE = "bookworm"
BASE_PACKAGES = ("python3", "python3-venv", "ca-certificates")
BASE_REPO = "localhost/dms-bot-ci-base"
LOCK = Path(tempfile.gettempdir(), "dms-bot-container.lock")  # one base/image build at a time per machine
APT_SOURCES = (Path("/etc/apt/sources.list"), Path("/etc/apt/sources.list.d"))
PIP_KEYS = ("index-url", "extra-index-url", "find-links", "trusted-host", "cert", "constraint")


def missing_tools() -> list[str]:
    """What .ci/run would install; runc and mmdebstrap may sit in /usr/sbin, off a user's PATH."""
    return [tool for tool in TOOLS if shutil.which(tool) is None and not Path("/usr/sbin", tool).exists()]


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([*PODMAN, *args], capture_output=True, text=True, timeout=timeout, check=False)
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args[:3])}… exited {result.returncode}:\n{result.stderr}")
    return result


@contextmanager
def machine_lock() -> Iterator[None]:
    with LOCK.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        yield


def apt_source_files() -> list[Path]:
    """The machine's Debian sources (one-line or deb822); other vendors' repositories are left out."""
    files = [APT_SOURCES[0]] if APT_SOURCES[0].is_file() else []
    if APT_SOURCES[1].is_dir():
        files += sorted(p for p in APT_SOURCES[1].iterdir() if p.suffix in (".list", ".sources"))
    return [p for p in files if "/debian" in p.read_text()]


def base_key() -> str:
    inputs = {
        "suite": SUITE,
        "variant": "minbase",
        "packages": BASE_PACKAGES,
        "sources": [p.read_text() for p in apt_source_files()],
    }
    return hashlib.sha256(json.dumps(inputs, sort_keys=True).encode()).hexdigest()[:16]


def ensure_base() -> tuple[str, float]:
    """The Debian base image's name, and the seconds spent making it (0 when it was cached)."""
    name = f"{BASE_REPO}:{base_key()}"
    with machine_lock():
        if podman("image", "exists", name, check=False).returncode == 0:
            return name, 0.0
        started = time.monotonic()
        with tempfile.TemporaryDirectory(dir="/var/tmp", prefix="dms-bot-base-") as tmp:
            tar = Path(tmp, "base.tar")
            command = [
                "mmdebstrap",
                "--quiet",
                "--variant=minbase",
                f"--include={','.join(BASE_PACKAGES)}",
                SUITE,
                str(tar),
                *map(str, apt_source_files()),
            ]
            made = subprocess.run(command, capture_output=True, text=True, timeout=900, check=False)
            if made.returncode != 0:
                raise AssertionError(f"mmdebstrap exited {made.returncode}:\n{made.stderr[-4000:]}")
            podman("import", str(tar), name, timeout=300)
        return name, time.monotonic() - started


def pip_settings(listing: str, env: dict[str, str]) -> dict[str, str]:
    """``PIP_<KEY>`` values from ``pip config list`` output; a ``PIP_*`` variable wins over files."""
    found: dict[str, str] = {}
    for line in listing.splitlines():
        scoped, _, raw = line.partition("=")
        key = scoped.rpartition(".")[2]
        if key in PIP_KEYS and raw:
            found[f"PIP_{key.upper().replace('-', '_')}"] = raw.strip().strip("'\"")
    for key in PIP_KEYS:
        name = f"PIP_{key.upper().replace('-', '_')}"
        if env.get(name):
            found[name] = env[name]
    return found


def local_paths(settings: dict[str, str]) -> list[Path]:
    """Local files and directories the pip settings name, to mount at the same path."""
    paths: set[Path] = set()
    for name, value in settings.items():
        for item in value.split():
            url = urlsplit(item)
            if url.scheme not in ("", "file"):
                continue
            path = Path(url.path)
            if name in ("PIP_CERT", "PIP_CONSTRAINT") or path.is_file():
                path = path.parent  # the certificate directory, the constraints' directory
            elif path.name == "simple":
                path = path.parent  # a file:// index links to ../../files/
            if path.exists():
                paths.add(path)
    return sorted(paths)


def host_pip_settings() -> dict[str, str]:
    """This machine's pip settings, as ``pip`` itself reads them (files, then ``PIP_*``)."""
    listing = subprocess.run(
        [sys.executable, "-m", "pip", "config", "list"], capture_output=True, text=True, check=False
    ).stdout
    return pip_settings(listing, dict(os.environ))


def pip_build_options() -> list[str]:
    settings = host_pip_settings()
    options = [f"--build-arg={name}={value}" for name, value in sorted(settings.items())]
    return options + [f"--volume={p}:{p}:ro" for p in local_paths(settings)]


def build_image(base: str, tag: str, *, iidfile: Path | None = None, context: Path = ROOT) -> float:
    """Builds the Dockerfile on ``base`` as ``tag``; returns the seconds it took."""
    from bot import __version__

    started = time.monotonic()
    with machine_lock():
        podman(
            "build",
            *BUILD_FLAGS,
            f"--build-arg=BASE_IMAGE={base}",
            f"--build-arg=VERSION={__version__}",
            f"--build-arg=REVISION={_revision(context)}",
            *pip_build_options(),
            f"--tag={tag}",
            *([f"--iidfile={iidfile}"] if iidfile else []),
            str(context),
            timeout=900,
        )
    return time.monotonic() - started


def _revision(context: Path) -> str:
    head = subprocess.run(
        ["git", "-C", str(context), "rev-parse", "HEAD"], capture_output=True, text=True, check=False
    )
    return head.stdout.strip() or "unknown"


def image_size(tag: str) -> int:
    return int(podman("image", "inspect", tag, "--format", "{{.Size}}").stdout.strip())


def main(argv: Sequence[str]) -> int:
    if missing := missing_tools():
        print(f"missing: {', '.join(missing)} (apt-get install podman mmdebstrap runc)", file=sys.stderr)
        return 2
    tag = argv[1] if len(argv) > 1 else "localhost/dms-bot:dev"
    base, base_seconds = ensure_base()
    print(f"base {base} ({'cached' if not base_seconds else f'made in {base_seconds:.1f}s'})")
    if argv[:1] == ["build"]:
        seconds = build_image(base, tag)
        print(f"image {tag}: built in {seconds:.1f}s, {image_size(tag) / 1e6:.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
