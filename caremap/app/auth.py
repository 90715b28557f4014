"""Admin login on the data page: the session side of caremap.store.access (attempts, who is logged in)."""

from __future__ import annotations

import hmac

import streamlit as st

from caremap.app import secrets
from caremap.store import access

MAX_ATTEMPTS = 5
_STATE = "data_admin_auth"
_ATTEMPTS = "data_admin_attempts"
EXAMPLE = """# .streamlit/secrets.toml (never commit this file)
[admin]
# python3 -c "import hashlib, getpass; print(hashlib.sha256(getpass.getpass().encode()).hexdigest())"
password_sha256 = "<64 hex digits>"
"""


def configured_hash() -> str | None:
    """The configured password hash ([admin] password_sha256 of st.secrets), or None when absent or malformed."""
    return access.valid_hash((secrets.section("admin") or {}).get("password_sha256"))


def configured() -> bool:
    return configured_hash() is not None


def attempts_left() -> int:
    return MAX_ATTEMPTS - st.session_state.get(_ATTEMPTS, 0)


def login(password: str, who: str = "") -> bool:
    """Check the password; a session that failed MAX_ATTEMPTS times is refused without checking."""
    expected = configured_hash()
    if expected is None or attempts_left() <= 0:
        return False
    if access.verify(password, expected):
        st.session_state[_STATE] = {"who": (who or "").strip()[:40] or "admin", "key": expected}
        st.session_state[_ATTEMPTS] = 0
        return True
    st.session_state[_ATTEMPTS] = st.session_state.get(_ATTEMPTS, 0) + 1
    return False


def is_admin() -> bool:
    """Logged in this session with the password that is configured now (changing it logs everyone out)."""
    state = st.session_state.get(_STATE)
    expected = configured_hash()
    return bool(state and expected and hmac.compare_digest(state["key"], expected))


def user() -> str:
    """Who to record in import_log for a web import."""
    state = st.session_state.get(_STATE) or {}
    return f"web:{state.get('who', 'admin')}"


def logout() -> None:
    st.session_state.pop(_STATE, None)
