"""Admin login on the data page: the session side of caremap.store.access (attempts, who is logged in)."""

from __future__ import annotations

import hmac
import time

import streamlit as st

from caremap.app import secrets, session
from caremap.store import access, accounts

MAX_ATTEMPTS = 5
_STATE = "data_admin_auth"
_ATTEMPTS = "data_admin_attempts"
_ERROR = "data_admin_login_error"
_TIMED_OUT = "data_admin_timed_out"
EXAMPLE = """# .streamlit/secrets.toml (never commit this file)
[admin]
# python3 -c "import hashlib, getpass; print(hashlib.sha256(getpass.getpass().encode()).hexdigest())"
password_sha256 = "<64 hex digits>"
"""


def configured_hash() -> str | None:
    """The configured password hash ([admin] password_sha256 of st.secrets), or None when absent or malformed."""
    return access.valid_hash((secrets.section("admin") or {}).get("password_sha256"))


def configured() -> bool:
    """The page can be opened: an administrator password is configured, or individual accounts exist."""
    return configured_hash() is not None or accounts.any_accounts()


def attempts_left() -> int:
    return MAX_ATTEMPTS - st.session_state.get(_ATTEMPTS, 0)


def login(password: str, who: str = "") -> bool:
    """Check the password; a session that failed MAX_ATTEMPTS times is refused without checking.

    Where individual accounts exist, `who` is the username and its role decides (a viewer may not log in here);
    the shared administrator password is then no longer accepted."""
    st.session_state.pop(_ERROR, None)
    if attempts_left() <= 0:
        return False
    if accounts.any_accounts():
        try:
            account = accounts.authenticate(who, password, place=f"web:{session.client_address()}")
            if not account.can_write:
                raise accounts.AccountError("read_only")
        except accounts.AccountError as exc:
            st.session_state[_ERROR] = (exc.code, exc.params)
            st.session_state[_ATTEMPTS] = st.session_state.get(_ATTEMPTS, 0) + 1
            return False
        st.session_state[_STATE] = {"who": account.username, "account": account, "key": "accounts",
                                    "seen": time.monotonic()}
        st.session_state[_ATTEMPTS] = 0
        return True
    expected = configured_hash()
    if expected is None:
        return False
    if access.verify(password, expected):
        st.session_state[_STATE] = {"who": (who or "").strip()[:40] or "admin", "key": expected,
                                    "seen": time.monotonic()}
        st.session_state[_ATTEMPTS] = 0
        return True
    st.session_state[_ATTEMPTS] = st.session_state.get(_ATTEMPTS, 0) + 1
    return False


def is_admin() -> bool:
    """Logged in this session with an account, or with the password that is configured now (changing it logs
    everyone out)."""
    state = st.session_state.get(_STATE)
    if state is None and _ERROR not in st.session_state and _sso_session():
        state = st.session_state.get(_STATE)
    if state and time.monotonic() - state.get("seen", 0) > 60 * accounts.rules()["session_minutes"]:
        accounts.audit("session_timeout", state.get("who", "?"), f"idle over {accounts.rules()['session_minutes']} min",
                       place=f"web:{session.client_address()}")
        logout()
        st.session_state[_TIMED_OUT] = True
        return False
    if state:
        state["seen"] = time.monotonic()   # any page the session opens keeps it alive
    if state and state.get("key") == "accounts":
        return True
    expected = configured_hash()
    return bool(state and expected and hmac.compare_digest(state["key"], expected))


def timed_out() -> bool:
    """Whether this session was just logged out for being idle (said once, on the login form)."""
    return bool(st.session_state.pop(_TIMED_OUT, False))


def account() -> accounts.Account | None:
    """The individual account logged in (None: the shared administrator password, a city administrator)."""
    return (st.session_state.get(_STATE) or {}).get("account")


def sso_providers() -> list[str]:
    """The identity providers configured for st.login ([auth.<name>] sections of the secrets with a client_id)."""
    section = secrets.section("auth") or {}
    try:
        return [k for k, v in section.items() if hasattr(v, "get") and v.get("client_id")]
    except AttributeError:
        return []


def _sso_session() -> bool:
    """A user signed in by the bureau's identity provider becomes this session's account (once per sign-in)."""
    try:
        user = st.user
        if not user.is_logged_in:
            return False
    except Exception:  # no [auth] configured: st.user cannot be read
        return False
    rule = secrets.section("caremap_sso") or {}
    name = user.get(rule.get("username_claim", "preferred_username")) or user.get("email") or user.get("sub")
    try:
        account = accounts.single_sign_on(str(name or ""), user.get(rule.get("role_claim", "caremap_role")),
                                          user.get(rule.get("district_claim", "caremap_district")),
                                          place=f"sso:{user.get('provider', '')}:{session.client_address()}")
        if not account.can_write:
            raise accounts.AccountError("read_only")
    except accounts.AccountError as exc:
        st.session_state[_ERROR] = (exc.code, exc.params)
        return False
    st.session_state[_STATE] = {"who": account.username, "account": account, "key": "accounts",
                                "seen": time.monotonic(), "sso": True}
    return True


def login_with_provider(provider: str) -> None:
    st.login(provider)


def reach() -> accounts.Account | None:
    """Whose reach decides what personal data this session sees unmasked: the account logged in on the data page,
    a city administrator for the shared administrator password, None (everything masked) otherwise."""
    if not is_admin():
        return None
    return account() or accounts.SHARED_ADMIN


def error() -> tuple[str, dict] | None:
    """Why the last login failed, for an account (code and parameters of the accounts labels)."""
    return st.session_state.get(_ERROR)


def user() -> str:
    """Who to record in import_log for a web import."""
    state = st.session_state.get(_STATE) or {}
    return f"web:{state.get('who', 'admin')}"


def logout() -> None:
    state = st.session_state.pop(_STATE, None)
    if state and state.get("sso"):
        st.logout()   # the identity provider's sign-in cookie goes too
