"""The Dockerfile and the README's Kubernetes Deployment, parsed: what each says about running the bot."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order; continuation lines joined, comments dropped."""
    joined = re.sub(
        r"\\\n", " ", "\n".join(ln for ln in text.splitlines() if not ln.lstrip().startswith("#"))
    )
    found = [line.strip().split(None, 1) for line in joined.splitlines() if line.strip()]
    return [(words[0].upper(), words[1] if len(words) > 1 else "") for words in found]


def runtime_stage(text: str) -> dict[str, list[str]]:
    """The last stage's instructions by name (each a list of argument strings)."""
    instructions = dockerfile_instructions(text)
    start = max(i for i, (name, _) in enumerate(instructions) if name == "FROM")
    stage: dict[str, list[str]] = {}
    for name, args in instructions[start:]:
        stage.setdefault(name, []).append(args)
    return stage


def image_facts(text: str | None = None) -> dict[str, Any]:
    """The runtime stage's entry point, command, user, ports, volumes, env, health check, version."""
    text = (ROOT / "Dockerfile").read_text() if text is None else text
    stage = runtime_stage(text)
    env = dict(re.findall(r"(\w+)=(\S+)", " ".join(stage["ENV"])))
    options, _, command = stage["HEALTHCHECK"][0].partition("CMD")
    healthcheck = json.loads(command)
    timing = {k: int(v) for k, v in re.findall(r"--([\w-]+)=(\d+)s?\b", options)}
    args = dict(re.findall(r"^(\w+)=(\S+)$", "\n".join(stage["ARG"]), re.M))
    return {
        "entrypoint": json.loads(stage["ENTRYPOINT"][0]),
        "cmd": json.loads(stage["CMD"][0]),
        "user": stage["USER"][0],
        "expose": stage["EXPOSE"],
        "volumes": json.loads(stage["VOLUME"][0]),
        "env": env,
        "healthcheck": healthcheck,
        "healthcheck_timing": timing,  # interval, timeout, start-period (seconds), retries
        "version": args["VERSION"],
    }


def readme_deployment() -> dict:
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    docs = [d for block in blocks for d in yaml.safe_load_all(block) if isinstance(d, dict)]
    return next(d for d in docs if d.get("kind") == "Deployment")
