"""Whose conversations a session shows: login first, then a proxy's user header, then the browser's cookie."""

from __future__ import annotations

import pytest

from ui.owner import BROWSER_COOKIE, browser_owner, cookie_script, identify

pytestmark = pytest.mark.unit

KEY = "k" * 32


def test_a_browser_with_its_cookie_is_recognised() -> None:
    who = identify({}, {}, {BROWSER_COOKIE: KEY}, None)
    assert who.owner == browser_owner(KEY) and who.new_browser_key is None and who.user is None
    assert KEY not in who.owner, "only a hash of the key is stored"


def test_a_new_browser_gets_a_new_unguessable_key_to_keep() -> None:
    first, second = identify({}, {}, {}, None), identify({}, {}, {BROWSER_COOKIE: "te-kort"}, None)
    assert first.new_browser_key and second.new_browser_key and first.new_browser_key != second.new_browser_key
    assert first.owner == browser_owner(first.new_browser_key)
    assert identify({}, {}, {BROWSER_COOKIE: first.new_browser_key}, None).owner == first.owner, "the next visit"
    script = cookie_script(first.new_browser_key)
    assert f"{BROWSER_COOKIE}={first.new_browser_key}" in script and "SameSite=Lax" in script


def test_a_login_wins_over_the_browser() -> None:
    user = {"is_logged_in": True, "email": "A.Jansen@Gemeente.nl", "name": "Anna Jansen"}
    who = identify(user, {}, {BROWSER_COOKIE: KEY}, None)
    assert (who.owner, who.user, who.new_browser_key) == ("user:a.jansen@gemeente.nl", "Anna Jansen", None)
    assert identify({"email": "a@b.nl"}, {}, {BROWSER_COOKIE: KEY}, None).owner == browser_owner(KEY), \
        "an e-mail without a login (Streamlit's test default) is no login"


def test_a_proxy_header_counts_only_when_configured() -> None:
    headers = {"X-Forwarded-User": "a.jansen@gemeente.nl"}
    assert identify({}, headers, {BROWSER_COOKIE: KEY}, "X-Forwarded-User").owner == "user:a.jansen@gemeente.nl"
    assert identify({}, headers, {BROWSER_COOKIE: KEY}, None).owner == browser_owner(KEY), "not trusted unless set"
    assert identify({}, {}, {BROWSER_COOKIE: KEY}, "X-Forwarded-User").owner == browser_owner(KEY)
