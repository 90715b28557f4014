"""Admin access to the data page: a password whose SHA-256 is set in .streamlit/secrets.toml ([admin])."""

from __future__ import annotations

import hashlib
import hmac
import re

import streamlit as st

MAX_ATTEMPTS = 5
_STATE = "data_admin_auth"
_ATTEMPTS = "data_admin_attempts"
EXAMPLE = """# .streamlit/secrets.toml (never commit this file)
[admin]
# python3 -c "import hashlib, getpass; print(hashlib.sha256(getpass.getpass().encode()).hexdigest())"
password_sha256 = "<64 hex digits>"
"""


def configured_hash() -> str | None:
    """The configured password hash, or None when [admin] password_sha256 is absent or not 64 hex digits."""
    try:
        value = st.secrets["admin"]["password_sha256"]
    except Exception:  # no secrets file, no [admin] section or key: Streamlit raises several types
        return None
    value = str(value).strip().lower()
    return value if re.fullmatch(r"[0-9a-f]{64}", value) else None


def cli_check(password: str | None) -> str | None:
    """For the import CLI: None when the password matches the configured hash, else why not.

    The CLI reads the same secrets file as the app (caremap.config.secrets_files), so an operator needs
    the administrator password to write, given in $CAREMAP_ADMIN_PASSWORD or typed at the prompt.
    """
    import tomllib

    from caremap import config

    expected = None
    for path in config.secrets_files():
        try:
            value = tomllib.loads(path.read_text(encoding="utf-8")).get("admin", {}).get("password_sha256")
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            return config.secrets_problem()
        if value and re.fullmatch(r"[0-9a-fA-F]{64}", str(value).strip()):
            expected = str(value).strip().lower()
            break
    if expected is None:
        return ("未配置管理员密码，导入不会写入任何数据。请在 .streamlit/secrets.toml 的 [admin] 中设置 "
                "password_sha256（见 .streamlit/secrets.toml.example）；校验可用 --dry-run。"
                " / No admin password is configured: nothing is written. Set [admin] password_sha256 in "
                ".streamlit/secrets.toml; use --dry-run to validate only.")
    if not password:
        return ("需要管理员密码：设置环境变量 CAREMAP_ADMIN_PASSWORD 或在提示时输入。"
                " / The admin password is needed: set $CAREMAP_ADMIN_PASSWORD or type it at the prompt.")
    if not verify(password, expected):
        return "管理员密码错误，未写入任何数据。 / Wrong admin password: nothing written."
    return None


def configured() -> bool:
    return configured_hash() is not None


def verify(password: str, expected_sha256: str) -> bool:
    """Constant-time comparison of the password's SHA-256 with the configured hex digest."""
    digest = hashlib.sha256((password or "").encode("utf-8")).hexdigest()
    return hmac.compare_digest(digest, (expected_sha256 or "").lower())


def attempts_left() -> int:
    return MAX_ATTEMPTS - st.session_state.get(_ATTEMPTS, 0)


def login(password: str, who: str = "") -> bool:
    """Check the password; a session that failed MAX_ATTEMPTS times is refused without checking."""
    expected = configured_hash()
    if expected is None or attempts_left() <= 0:
        return False
    if verify(password, expected):
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
