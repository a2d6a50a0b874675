"""``dms-bot doctor``: is everything a deployment needs in place? One line per check, with the fix.

Exit 0 when every check passes (warnings and skipped checks allowed), 1 when any fails, 2 when the
config itself cannot be loaded (like every command). Secrets are never printed: each line also
passes through the same scrubber as the logs.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from bot.cli.exit_codes import ExitCode
from bot.config import config_path, load_settings
from bot.doctor import Check, Status, ok
from bot.doctor.aws import check_secret, check_targets
from bot.doctor.lag import check_lag
from bot.doctor.local import check_webhook
from bot.doctor.paging import check_pagerduty
from bot.doctor.slack import channels_of, check_modes, check_slack
from bot.doctor.store import check_leadership, check_store
from bot.ops.logs import RedactSecrets
from bot.settings import ENV_SECRET_ID, Settings

_MARKS = {Status.OK: "✓", Status.FAIL: "✗", Status.WARN: "!", Status.SKIP: "-"}
_ASCII = {Status.OK: "ok  ", Status.FAIL: "FAIL", Status.WARN: "warn", Status.SKIP: "skip"}


def run(args: argparse.Namespace) -> int:
    settings, checks = load(args.config, os.environ)
    checks += check_targets(settings)
    checks += check_lag(settings)
    checks += check_slack(settings)
    checks.append(check_modes(settings))
    checks.append(check_webhook(settings.webhook))
    checks.append(check_pagerduty(settings))
    checks.append(check_store(settings.store.path))
    checks += check_leadership(settings.store.path)
    return report(checks, settings, sys.stdout)


def load(flag: str | None, env: Mapping[str, str]) -> tuple[Settings, list[Check]]:
    """Settings (a broken config raises ConfigError: exit 2), and the config and secret checks.

    The secret is read as a check of its own, so a secret the bot cannot read is one failed line,
    not the end of the run; the other checks then use what the environment alone provides.
    """
    settings = load_settings(flag, env=env)
    path = config_path(flag, env)
    source = f"{path} loads" if path else "no config file: settings from the environment"
    checks = [ok("config", _describe(settings, source))]
    secret_id = env.get(ENV_SECRET_ID)
    if secret_id:
        secret_check, values = check_secret(secret_id)
        checks.append(secret_check)
        if values is not None:
            settings = load_settings(flag, env=env, secret_loader=lambda _id: values)
    return settings, checks


def _describe(settings: Settings, source: str) -> str:
    targets = len(settings.targets)
    channels = len(channels_of(settings))
    webhook = "a webhook" if settings.webhook.url else "no webhook"
    return (
        f"{source} ({targets} target{'s' * (targets != 1)}, "
        f"{channels} channel{'s' * (channels != 1)}, {webhook})"
    )


def report(checks: list[Check], settings: Settings, out: TextIO) -> int:
    scrub = RedactSecrets(settings.secrets()).scrub
    marks = _MARKS if _can_print(out, "".join(_MARKS.values()) + "→") else _ASCII
    arrow = " → " if marks is _MARKS else " -> "
    for check in checks:
        line = f"{marks[check.status]} {check.name}: {check.detail}"
        if check.fix and check.status in (Status.FAIL, Status.WARN):
            line += arrow + check.fix
        print(scrub(line), file=out)
    failed = sum(c.failed for c in checks)
    if failed:
        print(f"{failed} of {len(checks)} checks failed", file=out)
        return ExitCode.FAILURE
    print(f"all {len(checks)} checks passed", file=out)
    return ExitCode.OK


def _can_print(out: TextIO, text: str) -> bool:
    try:
        text.encode(out.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
