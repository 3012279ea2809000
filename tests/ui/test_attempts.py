"""ui.attempts: wrong admin passwords are limited per session and for the whole process."""

from __future__ import annotations

import pytest

from ui.attempts import AttemptLimiter

pytestmark = pytest.mark.unit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def limiter(clock: Clock) -> AttemptLimiter:
    return AttemptLimiter(max_failures=5, max_failures_all=20, window=600, lockout=600, clock=clock)


def test_five_wrong_passwords_lock_the_session_for_the_cooling_off_period(clock: Clock) -> None:
    attempts = limiter(clock)
    for _ in range(4):
        attempts.failed("a")
        assert attempts.wait_seconds("a") == 0
    attempts.failed("a")
    assert attempts.wait_seconds("a") == 600
    assert attempts.wait_seconds("b") == 0, "another session is not locked by one session's typos"
    clock.now += 599
    assert attempts.wait_seconds("a") == 1
    clock.now += 1
    assert attempts.wait_seconds("a") == 0


def test_failures_older_than_the_window_do_not_count(clock: Clock) -> None:
    attempts = limiter(clock)
    for _ in range(4):
        attempts.failed("a")
    clock.now += 601
    attempts.failed("a")
    assert attempts.wait_seconds("a") == 0


def test_new_sessions_cannot_bypass_the_limit(clock: Clock) -> None:
    """A script opening a fresh session for every four tries meets the process-wide limit."""
    attempts = limiter(clock)
    for n in range(20):
        assert attempts.wait_seconds(f"sessie-{n // 4}") == 0
        attempts.failed(f"sessie-{n // 4}")
    assert attempts.wait_seconds("nieuwe-sessie") == 600
    clock.now += 600
    assert attempts.wait_seconds("nieuwe-sessie") == 0


def test_the_right_password_clears_that_sessions_typos(clock: Clock) -> None:
    attempts = limiter(clock)
    for _ in range(4):
        attempts.failed("a")
    attempts.succeeded("a")
    attempts.failed("a")
    assert attempts.wait_seconds("a") == 0
