"""``dms-bot ready`` in a terminal: a mark and the evidence per check, then blockers, caveats and the
checklist; whatever the details quote is printed inert."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.core.models import Resync, TableStats, TaskKind
from bot.core.readiness import Check, CheckName, CheckStatus, Readiness
from bot.render.ready_text import render_ready, verdict_line
from bot.render.task import table_line

NOW = datetime(2026, 12, 6, 9, 12, 5, tzinfo=UTC)


def answer(*checks: Check, caveats: tuple[str, ...] = (), checklist: tuple[str, ...] = ()) -> Readiness:
    return Readiness(
        "orders-cdc", "arn:aws:dms:eu-west-1:1:task:A", TaskKind.TASK, NOW, checks, caveats, checklist
    )


def test_each_check_has_its_mark_and_evidence_then_blockers_caveats_and_checklist() -> None:
    text = render_ready(
        answer(
            Check(CheckName.TASK_RUNNING, CheckStatus.PASS, "running, cdc (in CDC)"),
            Check(CheckName.CDC_LATENCY, CheckStatus.FAIL, "CDCLatencyTarget 41 s at 09:12 > 5 s"),
            Check(CheckName.FAILED_ROWS, CheckStatus.UNKNOWN, "endpoint t (db:5432): cannot connect"),
            Check(CheckName.RESYNC, CheckStatus.SKIP, "data resync is not enabled"),
            caveats=("LOBs not fully validated: limited LOB mode",),
            checklist=("Sequences reset on the target",),
        )
    )
    assert text.splitlines() == [
        "orders-cdc: NOT READY (2 blockers) · checked 2026-12-06 09:12:05 UTC",
        "",
        "✓ task_running        running, cdc (in CDC)",
        "✗ cdc_latency         CDCLatencyTarget 41 s at 09:12 > 5 s",
        "? failed_rows         endpoint t (db:5432): cannot connect",
        "\u2013 resync              data resync is not enabled",
        "",
        "Blockers:",
        "  - cdc_latency: CDCLatencyTarget 41 s at 09:12 > 5 s",
        "  - failed_rows: endpoint t (db:5432): cannot connect",
        "",
        "Caveats (what the gate could not see):",
        "  - LOBs not fully validated: limited LOB mode",
        "",
        "Checklist (only people can check these):",
        "  [ ] Sequences reset on the target",
    ]


def test_a_ready_answer_says_so_and_lists_no_blockers() -> None:
    r = answer(Check(CheckName.TASK_RUNNING, CheckStatus.PASS, "running"))
    assert verdict_line(r) == "orders-cdc: READY to cut over"
    assert "Blockers" not in render_ready(r)
    one = answer(Check(CheckName.TASK_RUNNING, CheckStatus.FAIL, "stopped"))
    assert verdict_line(one) == "orders-cdc: NOT READY (1 blocker)"


def test_control_characters_in_details_are_printed_inert() -> None:
    text = render_ready(answer(Check(CheckName.TASK_RUNNING, CheckStatus.FAIL, "boom\x1b[31m\nRED")))
    assert "\x1b" not in text and "boom" in text and len(text.splitlines()) == 6


def test_dms_tables_lines_show_data_resync() -> None:
    t = TableStats("sales", "orders", "Table completed", "Validated", resync=Resync("In progress", 3, 1, 0))
    assert table_line(t).endswith(" · resync In progress (1 fixed, 0 failed)")
    assert "resync" not in table_line(TableStats("sales", "orders", "Table completed", "Validated"))
