"""Who may use the bot where: optional allow-lists of channels and of users or user groups.

User groups (``S…`` IDs) are expanded with ``usergroups.users.list`` and cached for a few minutes;
if Slack cannot be asked, membership is denied (fail closed) and the refusal says so.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

GROUP_CACHE_SECONDS = 300.0


class AccessControl:
    def __init__(
        self,
        *,
        client: WebClient,
        allowed_channels: Sequence[str] = (),
        allowed_users: Sequence[str] = (),
        operators: Sequence[str] = (),
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self.allowed_channels = frozenset(allowed_channels)
        self.allowed_users = tuple(allowed_users)
        self.operators = tuple(operators)  # may revalidate (ReloadTables); empty = nobody
        self._monotonic = monotonic
        self._groups: dict[str, tuple[float, frozenset[str]]] = {}
        self._lock = threading.Lock()

    def channel_allowed(self, channel_id: str | None) -> bool:
        return not self.allowed_channels or channel_id in self.allowed_channels

    def user_allowed(self, user_id: str | None) -> bool:
        return not self.allowed_users or self.is_member(user_id, self.allowed_users)

    def is_operator(self, user_id: str | None) -> bool:
        return self.is_member(user_id, self.operators)

    def is_member(self, user_id: str | None, ids: Sequence[str]) -> bool:
        """``user_id`` is listed directly or belongs to one of the listed user groups."""
        if not user_id:
            return False
        if user_id in ids:
            return True
        return any(user_id in self._group(g) for g in ids if g.startswith("S"))

    def _group(self, group_id: str) -> frozenset[str]:
        with self._lock:
            hit = self._groups.get(group_id)
            if hit and self._monotonic() - hit[0] < GROUP_CACHE_SECONDS:
                return hit[1]
        try:
            users = self.client.usergroups_users_list(usergroup=group_id).get("users") or []
        except (SlackClientError, OSError):  # OSError: urllib timeouts and resets
            return frozenset()
        members = frozenset(str(u) for u in users)
        with self._lock:
            self._groups[group_id] = (self._monotonic(), members)
        return members
