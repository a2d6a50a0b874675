"""Deliver the outbox: Slack posts, edits and thread replies, and webhook POSTs.

Items are read back from the store, sent, and marked; a failure is retried with exponential
backoff (or Slack's / the receiver's Retry-After), across restarts, in order per destination.
Errors that retrying cannot fix (a deleted channel, a revoked token, a 4xx from the webhook)
end the item as dead, so it never blocks the messages behind it.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

import requests

from bot.deliver.outcomes import Dead, Delivery, Retry, Sender
from bot.deliver.slack_send import SlackSender
from bot.deliver.webhook import make_session, post_json
from bot.errors import Fenced, StoreError, WebhookError
from bot.settings import WebhookSettings
from bot.store.base import Outbox, OutboxItem

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 25
LEASE = 60.0  # seconds an item is held while being sent: longer than any send takes
BASE_DELAY = 2.0
MAX_DELAY = 900.0


class Deliverer:
    """Sends due outbox items; ``run_once`` from a thread, ``wake()`` after enqueueing."""

    def __init__(
        self,
        *,
        store: Outbox,
        slack: Any,  # a slack_sdk WebClient (or anything with chat_postMessage / chat_update)
        webhook: WebhookSettings,
        clock: Callable[[], datetime],
        on_post: Callable[[str, int, str, str], None] | None = None,
        on_sent: Callable[[OutboxItem], None] | None = None,
        base_delay: float = BASE_DELAY,
        max_delay: float = MAX_DELAY,
        leader: Callable[[], int | None] | None = None,
        senders: Mapping[str, Sender] | None = None,
    ) -> None:
        self.base_delay, self.max_delay = base_delay, max_delay
        self.senders = dict(senders or {})  # outbox kind -> its sender (e.g. "pagerduty")
        self.store = store
        self.slack = slack
        self.slack_send = SlackSender(slack)
        self.dedup = self.slack_send.dedup
        self.webhook = webhook
        self.clock = clock
        self.on_post = on_post  # (task_arn, incident, channel, ts): lets the alert remember its message
        self.on_sent = on_sent  # every delivered item (metrics count them by kind)
        self._session: requests.Session | None = None
        self._wake = threading.Event()
        self._stop = threading.Event()
        self.thread: threading.Thread | None = None
        self.sent = 0
        self._store_failing = False
        # the leader's epoch, or None on a standby (which delivers nothing); no ``leader``: one
        # process, always delivering, its claims unfenced
        self.leader = leader
        self._released_for: int | None = None

    def run_once(self, *, limit: int = 200) -> int:
        """Deliver until nothing is due (or ``limit`` items); returns how many were sent.

        When the store cannot be written (locked, read-only, full), the pass stops with one log line
        and nothing more is sent until it can: an item is sent only after a write to the store has
        succeeded, so a sent message can be recorded as sent and is never sent again.
        """
        sent = 0
        failed: set[str] = set()  # destinations that failed this pass wait for their backoff
        epoch = self.leader() if self.leader is not None else None
        if self.leader is not None and epoch is None:
            return 0  # a standby
        try:
            while sent < limit and not self._stop.is_set():
                due = self.store.due_items(now=self.clock(), limit=50)
                due = [i for i in due if i.destination not in failed]
                if not due:
                    break
                for item in due:
                    delivery = self._deliver(item, epoch)
                    if delivery is Delivery.SENT:
                        sent += 1
                    elif delivery in (Delivery.RETRY, Delivery.BUSY):  # later items keep their order
                        failed.add(item.destination)
        except Fenced as exc:
            log.info("outbox: delivery stopped, this replica no longer leads (%s)", exc)
        except StoreError as exc:
            if not self._store_failing:
                log.error("outbox paused until the store can be written again: %s", exc)
            self._store_failing = True
        else:
            if self._store_failing:
                log.info("outbox resumed: the store can be written again")
            self._store_failing = False
        self.sent += sent
        return sent

    def send_now(self, key: str) -> bool:
        """Send the pending item queued as ``key`` now, leader or not: a standby's warning that the
        leader stopped sweeping cannot wait for that leader. Its lease keeps it from going twice."""
        item = self.store.find_item(key)
        if item is None or item.status != "pending" or item.next_attempt_at > self.clock():
            return False
        return self._deliver(item, None) is Delivery.SENT

    def _deliver(self, item: OutboxItem, epoch: int | None) -> Delivery:
        """Sent, to be retried (the destination waits), or given up (the next item goes at once)."""
        # Claim the item first: if the store cannot take this write, or this replica's epoch no
        # longer leads (Fenced), nothing is sent; if another sender holds it, it is theirs.
        now, attempt = self.clock(), self.dedup.attempt(item)
        until = now + timedelta(seconds=LEASE)
        if not self.store.lease(item.id, until=until, now=now, epoch=epoch, attempt=attempt):
            return Delivery.BUSY
        try:
            result = self._send(item)
        except Retry as exc:
            return self._retry(item, str(exc), exc.after, attempt if exc.unknown else None, quiet=exc.quiet)
        except Dead as exc:
            log.error("giving up on %s (%s): %s", item.kind, item.destination, exc)
            self.store.mark_dead(item.id, error=str(exc))
            return Delivery.DEAD
        self.store.mark_sent(item.id, result=result, at=self.clock())
        if self.on_sent:
            self.on_sent(item)
        if item.kind == "slack.post" and result and self.on_post:
            self.on_post(
                item.payload.get("task_arn", ""),
                int(item.payload.get("incident", 0)),
                result["channel"],
                result["ts"],
            )
        return Delivery.SENT

    def _retry(
        self,
        item: OutboxItem,
        error: str,
        after: float | None,
        attempt: dict[str, Any] | None = None,
        *,
        quiet: bool = False,
    ) -> Delivery:
        if item.attempts + 1 >= MAX_ATTEMPTS:
            log.error(
                "giving up on %s (%s) after %d attempts: %s", item.kind, item.destination, MAX_ATTEMPTS, error
            )
            self.store.mark_dead(item.id, error=error)
            return Delivery.DEAD
        delay = after if after is not None else min(self.max_delay, self.base_delay * 2**item.attempts)
        level = logging.DEBUG if quiet else logging.WARNING
        log.log(level, "%s to %s failed (%s); retrying in %.0fs", item.kind, item.destination, error, delay)
        later = self.clock() + timedelta(seconds=delay)
        self.store.mark_retry(item.id, error=error, next_attempt_at=later, attempt=attempt)
        return Delivery.RETRY

    def _send(self, item: OutboxItem) -> dict[str, Any] | None:
        if item.kind in self.senders:
            return self.senders[item.kind](item)
        if item.kind == "webhook":
            return self._send_webhook(item)
        if self.slack is None:
            raise Dead("Slack is not configured")
        payload = item.payload
        if item.kind == "slack.post":
            return self.slack_send.post(
                item, channel=payload["channel"], text=payload["text"], blocks=payload["blocks"]
            )
        ts = self._post_ts(payload["post_key"])
        if item.kind == "slack.update":
            return self.slack_send.update(
                channel=payload["channel"],
                ts=ts,
                text=payload["text"],
                blocks=payload["blocks"],
            )
        return self.slack_send.post(
            item, channel=payload["channel"], thread_ts=ts, text=payload["text"], blocks=payload["blocks"]
        )

    def _post_ts(self, key: str) -> str:
        """The ts of the alert message an edit or reply refers to."""
        post = self.store.find_item(key)
        if post is None or post.status == "dead":
            raise Dead("the alert message it refers to was never posted")
        if post.status != "sent" or not post.result:
            raise Retry("the alert message is not posted yet")
        return str(post.result["ts"])

    def _send_webhook(self, item: OutboxItem) -> dict[str, Any] | None:
        url = self.webhook.url
        if not url:
            raise Dead("no webhook URL configured any more")
        if self._session is None:
            self._session = make_session(retries=0)  # the outbox retries, across restarts
        secret = self.webhook.signing_secret.reveal() if self.webhook.signing_secret else None
        try:
            status = post_json(
                url.reveal(),
                item.payload["body"].encode(),
                timeout=self.webhook.timeout,
                session=self._session,
                signing_secret=secret,
                idempotency_key=item.key,
            )
        except WebhookError as exc:
            if exc.status is not None and 400 <= exc.status < 500 and exc.status not in (408, 429):
                raise Dead(str(exc)) from None
            raise Retry(str(exc), after=exc.retry_after) from None
        return {"status": status}

    # background thread
    def wake(self) -> None:
        self._wake.set()

    def release_stale_leases(self, epoch: int | None = None) -> None:
        """When this process starts delivering (start-up, or becoming the leader at ``epoch``): items
        the previous run (or an older leader) was sending when it died go out now, not when their
        lease ends. Whether that send reached its destination is unknown: a Slack post is looked for
        in its channel before it is sent again; a webhook carries its Idempotency-Key."""
        try:
            released = self.store.release_leases(before_epoch=epoch)
        except StoreError as exc:
            log.error(
                "could not free the items the last run was sending (they wait for their lease): %s", exc
            )
            return
        if released:
            log.warning(
                "%d outbox item(s) were being sent when the bot last stopped; sending again", released
            )

    def _release_when_leading(self) -> None:
        """Once per epoch (once in all without a ``leader``): the first pass as the (new) leader frees
        what older epochs were sending."""
        epoch = self.leader() if self.leader is not None else 0
        if epoch is not None and epoch != self._released_for:
            self._released_for = epoch
            self.release_stale_leases(epoch or None)

    def start(self, *, every: float = 2.0) -> None:
        """Run delivery in a thread: in the one process that holds a SQLite store's lock, or in
        every replica on PostgreSQL, where only the leader's passes deliver."""

        def loop() -> None:
            while not self._stop.is_set():
                try:
                    self._release_when_leading()
                    self.run_once()
                except Exception:  # the store or a bug: log and keep the thread alive
                    log.exception("outbox delivery failed")
                self._wake.wait(every)
                self._wake.clear()

        self.thread = threading.Thread(target=loop, name="outbox", daemon=True)
        self.thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the item in flight; one last pass flushes what is due now."""
        self._stop.set()
        self._wake.set()
        if self.thread:
            self.thread.join(timeout)
        self._stop.clear()
        try:
            self.run_once(limit=50)
        finally:
            self._stop.set()
