"""Whose conversations a session shows: a logged-in user's, or else this browser's.

In order: Streamlit's own login (`st.user`, an OIDC provider configured in `.streamlit/secrets.toml`),
then the user a reverse proxy names in a header (`ASSISTENT_USER_HEADER`, only when set: the proxy must
set or strip that header on every request, or anyone could claim a name), then an unguessable key this
browser keeps in a cookie. `st.context.cookies` is read-only and holds the cookies of the request that
opened the session, so a browser without the cookie gets a new key that the page writes into a cookie
(`cookie_script`); every later session of that browser (a reload, a new tab) sends it.

Owners are stored as "user:<e-mail or name>" and "browser:<hash of the key>": the key itself is never
stored, so the conversation file alone does not let anyone act as a browser.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

BROWSER_COOKIE = "assistent_browser"
COOKIE_MAX_AGE_S = 400 * 24 * 3600
"""Chromium caps a cookie's lifetime at 400 days; conversations themselves are purged much sooner."""
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{32,64}$")
_HASH_CHARS = 32
"""128 bits of the SHA-256 of the key: as unguessable as the key's own 192 bits need for an id."""


@dataclass(frozen=True)
class Identity:
    """The owner of the conversations this session shows, and what the page still has to do for it."""

    owner: str
    user: str | None = None
    """The logged-in user's name for the sidebar; None for a browser without login."""
    new_browser_key: str | None = None
    """A key this browser does not keep yet: the page sets it as a cookie."""


def new_browser_key() -> str:
    return secrets.token_urlsafe(24)


def browser_owner(key: str) -> str:
    return "browser:" + hashlib.sha256(key.encode()).hexdigest()[:_HASH_CHARS]


def identify(user: Mapping[str, Any], headers: Mapping[str, str], cookies: Mapping[str, str],
             user_header: str | None) -> Identity:
    """The owner for a session: the logged-in user, the proxy's user, or the browser's key (the cookie's,
    else a new one)."""
    if user.get("is_logged_in"):
        name = str(user.get("email") or user.get("preferred_username") or user.get("sub") or "").strip()
        if name:
            return Identity("user:" + name.lower(), user=str(user.get("name") or name))
    header = headers.get(user_header) if user_header else None
    if isinstance(header, str) and (name := header.strip()):
        return Identity("user:" + name.lower(), user=name)
    cookie = cookies.get(BROWSER_COOKIE)
    if isinstance(cookie, str) and _TOKEN.match(cookie):  # (AppTest's stand-in context answers with mocks)
        return Identity(browser_owner(cookie))
    key = new_browser_key()
    return Identity(browser_owner(key), new_browser_key=key)


def cookie_script(key: str) -> str:
    """JavaScript that keeps `key` in this browser (SameSite=Lax; Secure over https)."""
    return (
        "<script>document.cookie = "
        f"'{BROWSER_COOKIE}={key}; path=/; max-age={COOKIE_MAX_AGE_S}; SameSite=Lax'"
        " + (location.protocol === 'https:' ? '; Secure' : '');</script>"
    )
