"""A limit on wrong admin passwords: per session, and for the whole process so new sessions gain nothing.

Why: the upload page is the one place a stranger on the network can try passwords, and each try
costs nothing. Per session, a few typos are allowed; after that the session waits. A script that
opens a new session for every few tries meets the process-wide limit instead; the price is that
such a script also makes the admin wait, which is the usual trade of a lock-out. The state lives in
memory: a restarted server starts counting again (it is per process by design, no store to keep).
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

MAX_FAILURES = 5
"""Wrong passwords per session within WINDOW_SECONDS before that session waits: room for typos."""
MAX_FAILURES_ALL = 20
"""Wrong passwords from all sessions together within WINDOW_SECONDS before everyone waits: four
sessions' worth, so one admin's typos never lock out everyone, while guessing stays at 20 per 10 minutes."""
WINDOW_SECONDS = 600.0
LOCKOUT_SECONDS = 600.0
"""The cooling-off period (10 minutes, the usual order of magnitude for an interactive lock-out)."""


class AttemptLimiter:
    """Counts wrong passwords per session key and in total; thread-safe (Streamlit runs each session
    in its own thread). `clock` is injectable so tests can pass time without waiting."""

    def __init__(self, max_failures: int = MAX_FAILURES, max_failures_all: int = MAX_FAILURES_ALL,
                 window: float = WINDOW_SECONDS, lockout: float = LOCKOUT_SECONDS,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.max_failures, self.max_failures_all = max_failures, max_failures_all
        self.window, self.lockout, self.clock = window, lockout, clock
        self._lock = threading.Lock()
        self._failures: dict[str, deque[float]] = {}
        self._all: deque[float] = deque()
        self._locked_until: dict[str, float] = {}
        self._all_locked_until = 0.0

    def wait_seconds(self, key: str) -> float:
        """How long `key` must wait before it may try a password; 0 when it may try now."""
        with self._lock:
            now = self.clock()
            return max(0.0, self._locked_until.get(key, 0.0) - now, self._all_locked_until - now)

    def failed(self, key: str) -> None:
        """Count a wrong password from `key`; lock the session, or everyone, when a limit is reached."""
        with self._lock:
            now = self.clock()
            self._forget(now)
            mine = self._failures.setdefault(key, deque())
            mine.append(now)
            self._all.append(now)
            if len(mine) >= self.max_failures:
                self._locked_until[key] = now + self.lockout
                mine.clear()
            if len(self._all) >= self.max_failures_all:
                self._all_locked_until = now + self.lockout
                self._all.clear()

    def succeeded(self, key: str) -> None:
        """The right password: that session's earlier typos no longer count against it."""
        with self._lock:
            self._failures.pop(key, None)

    def _forget(self, now: float) -> None:
        """Drop failures older than the window and sessions with nothing left to remember."""
        for times in (*self._failures.values(), self._all):
            while times and times[0] < now - self.window:
                times.popleft()
        self._failures = {key: times for key, times in self._failures.items() if times}
        self._locked_until = {key: until for key, until in self._locked_until.items() if until > now}


PASSWORD_ATTEMPTS = AttemptLimiter()
"""The upload page's limiter: one per server process, shared by all its sessions."""
