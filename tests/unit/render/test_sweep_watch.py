"""The standby's two messages: no sweep since … (leader, last seen), and sweeps resumed; replica
names from the lease row are escaped, dates are Slack date tokens with an ISO fallback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.render.sweep_watch import Stall, resumed_message, stalled_message
from tests.support.render.limits import assert_no_injected_markup, assert_within_slack_limits

T0 = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def stall(**kw: object) -> Stall:
    values: dict[str, object] = {
        "last_sweep_at": T0,
        "now": T0 + timedelta(minutes=47),
        "check_every": 900.0,
        "leader": "dms-bot-7f9c:12",
        "leader_seen_at": T0 + timedelta(minutes=1),
        "noticed_by": "dms-bot-a1b2:7",
    }
    return Stall(**{**values, **kw})  # type: ignore[arg-type]


def test_the_warning_says_since_when_who_led_and_when_it_was_last_seen() -> None:
    message = stalled_message(stall())
    section = message.blocks[0]["text"]["text"]
    assert section.startswith(
        ":rotating_light: No DMS sweep since <!date^1795683600^{date_short_pretty} at {time}|"
        "2026-11-26T09:00:00Z> (47m ago); leader *dms-bot-7f9c:12* last seen "
        "<!date^1795683660^{date_short_pretty} at {time}|2026-11-26T09:01:00Z>."
    )
    assert "every 15m" in section
    assert message.text == (
        "No DMS sweep since 2026-11-26T09:00:00Z; leader dms-bot-7f9c:12 last seen 2026-11-26T09:01:00Z"
    )
    assert message.blocks[1]["elements"][0]["text"] == "Noticed by standby dms-bot-a1b2:7"
    assert_within_slack_limits(message)


def test_no_sweep_ever_and_no_leader_ever_are_said_as_such() -> None:
    message = stalled_message(stall(last_sweep_at=None, leader=None, leader_seen_at=None, noticed_by=""))
    assert message.blocks[0]["text"]["text"].startswith(
        ":rotating_light: No DMS sweep has been recorded yet; no replica has ever led."
    )
    assert message.text == "No DMS sweep recorded yet; no leader" and len(message.blocks) == 1


def test_replica_names_are_escaped() -> None:
    message = stalled_message(stall(leader="<!channel>&co", noticed_by="<@U123>"))
    assert "<!channel>" not in str(message.blocks) and "<!channel>" not in message.text
    assert "*&lt;!channel&gt;&amp;co*" in message.blocks[0]["text"]["text"]
    assert message.blocks[1]["elements"][0]["text"] == "Noticed by standby &lt;@U123&gt;"
    assert_no_injected_markup(message)


def test_sweeps_resumed_says_when_and_after_how_long() -> None:
    message = resumed_message(at=T0 + timedelta(hours=1), stalled_since=T0)
    assert message.blocks[0]["text"]["text"] == (
        ":white_check_mark: DMS sweeps resumed: one finished "
        "<!date^1795687200^{date_short_pretty} at {time}|2026-11-26T10:00:00Z>, after none for 1h."
    )
    assert message.text == "DMS sweeps resumed (2026-11-26T10:00:00Z)"
    assert_within_slack_limits(message)
