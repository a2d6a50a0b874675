"""``make demo``'s cutover act: inventory-cdc's writes are frozen, its lag drains, and the watch
posts "ready" once, in its thread; the alert story before it is unchanged."""

from __future__ import annotations

from pathlib import Path

from tests.support.cli_process import run_bot


def test_the_demo_plays_cutover_night_after_the_alert_story(tmp_path: Path) -> None:
    result = run_bot("demo", "--out", str(tmp_path / "out"), timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    story = [
        "[scenario 2.5m] sales.orders turns Mismatched records",
        "[scenario 6.5m] it is validated again",
        "Cutover night: may inventory-cdc's target take over",
        ":red_circle: *inventory-cdc* is not ready to cut over: 1 blocker.",
        "✗ *cdc_latency* — CDCLatencyTarget 52 s",
        "m] the gate turned: the watch says so in its thread",  # at 14 or 15m: CloudWatch minutes are wall-clock aligned
        "inventory-cdc is ready to cut over: lag ≤ 5 s for 5 min, 300 tables validated, failed rows not read",
    ]
    positions = [out.index(line) for line in story]
    assert positions == sorted(positions)
    assert out.count("is ready to cut over: lag") == 1  # said once, however many minutes it stays green
    assert "☐ Sequences reset on the target" in out
