"""HTTP mode: refuse a signed Slack request that was already handled.

Bolt accepts any correctly signed request up to five minutes old, so whoever captures one (a proxy
log, a leaked HAR file) can send it again within that window and make the bot act twice; for the
Revalidate button that would be a second ``ReloadTables``. Slack itself never re-sends a slash
command or a button click, so a request carrying a signature already seen is always a replay.

The guard runs after Bolt's signature check, so only genuine signatures are remembered (a forger
cannot fill the memory), and each for just the window Bolt would accept it in.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from slack_bolt import BoltRequest, BoltResponse

log = logging.getLogger(__name__)

WINDOW = 5 * 60 + 60  # Bolt's five minutes, plus clock skew between Slack and this host


class ReplayGuard:
    """Signatures seen in the last ``window`` seconds; ``first_time`` records and answers."""

    def __init__(self, *, window: float = WINDOW, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.window = window
        self._monotonic = monotonic
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, signature: str) -> bool:
        now = self._monotonic()
        with self._lock:
            while self._seen and next(iter(self._seen.values())) < now - self.window:
                self._seen.popitem(last=False)
            if signature in self._seen:
                return False
            self._seen[signature] = now
            return True

    def middleware(
        self, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]
    ) -> BoltResponse:
        """A Bolt global middleware (Bolt passes the arguments by these names)."""
        signature = (req.headers.get("x-slack-signature") or [""])[0]
        if req.mode != "socket_mode" and signature and not self.first_time(signature):
            log.warning("refused a replayed Slack request (its signature was already used)")
            return BoltResponse(status=401, body='{"error": "replayed request"}')
        return next()
