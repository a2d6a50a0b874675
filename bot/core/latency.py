"""CDC lag as task-level findings: CloudWatch's ``CDCLatencySource`` and ``CDCLatencyTarget``.

What the two numbers mean (DMS User Guide, reference/dms-api.md section 5):

- ``CDCLatencySource``: how far behind the source DMS is *reading* changes. It drops to 0 when the
  source is quiet, so 0 is healthy and says nothing about staleness.
- ``CDCLatencyTarget``: how old the oldest change still waiting to be committed on the target is. It
  includes the time spent reading the source, so it is the end-to-end lag: how far the *target* is
  behind the source. That is what a person wants to hear first, so it leads the reason; the source
  part, when it is also high, says where the lag comes from.

No datapoint is no finding: CloudWatch has nothing for a stopped task or a task that never emitted.
"""

from __future__ import annotations

from dataclasses import replace

from bot.core.durations import format_duration
from bot.core.models import CdcLatency, Policy, TaskVerdict, Verdict


def lag_verdict(seconds: float | None, policy: Policy) -> Verdict:
    """OK, WARNING or FAILURE for one latency reading; above means strictly above a threshold."""
    if seconds is None:
        return Verdict.OK
    if policy.cdc_latency_failure is not None and seconds > policy.cdc_latency_failure:
        return Verdict.FAILURE
    if policy.cdc_latency_warning is not None and seconds > policy.cdc_latency_warning:
        return Verdict.WARNING
    return Verdict.OK


def latency_reason(latency: CdcLatency, policy: Policy) -> tuple[Verdict, str] | None:
    """The one task-level finding for this lag, or None when neither reading is over a threshold."""
    source, target = latency.source_seconds, latency.target_seconds
    source_verdict, target_verdict = lag_verdict(source, policy), lag_verdict(target, policy)
    source_text = format_duration(source) if source is not None and source_verdict else None
    if target is not None and target_verdict:
        reason = f"target is {format_duration(target)} behind the source"
        if source_text:
            reason += f" ({source_text} of it reading the source)"
        return max(source_verdict, target_verdict), reason
    if source_text:
        return source_verdict, f"CDC source latency {source_text} (DMS is reading the source's changes late)"
    return None


def with_latency(verdict: TaskVerdict, latency: CdcLatency | None, policy: Policy) -> TaskVerdict:
    """``verdict`` with the lag attached and, when it is over a threshold, one more reason.

    The worst of the existing verdict and the lag wins. Reasons stay worst first: the lag leads when
    it is at least as bad as the verdict so far (lag is the first thing a DMS runbook checks), else
    it comes last. Strict mode judges lag the same way: the original tool's rule is about tables,
    and lag is a separate fact about the task.
    """
    if latency is None:
        return verdict
    finding = latency_reason(latency, policy)
    if finding is None:
        return replace(verdict, cdc_latency=latency)
    level, reason = finding
    return replace(
        verdict,
        cdc_latency=latency,
        verdict=max(verdict.verdict, level),
        reasons=(reason, *verdict.reasons) if level >= verdict.verdict else (*verdict.reasons, reason),
    )
