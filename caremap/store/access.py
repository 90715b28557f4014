"""Who may write: the administrator password (its SHA-256 in the secrets file's [admin] section), checked the
same way by the data page and the import command."""

from __future__ import annotations

import hashlib
import hmac
import re

from caremap.common import config


def valid_hash(value) -> str | None:
    """A configured password_sha256 value as 64 lowercase hex digits, or None when absent or malformed."""
    text = str(value or "").strip().lower()
    return text if re.fullmatch(r"[0-9a-f]{64}", text) else None


def verify(password: str, expected_sha256: str) -> bool:
    """Constant-time comparison of the password's SHA-256 with the configured hex digest."""
    digest = hashlib.sha256((password or "").encode("utf-8")).hexdigest()
    return hmac.compare_digest(digest, (expected_sha256 or "").lower())


def cli_check(password: str | None) -> str | None:
    """For the import CLI: None when the password matches the configured hash, else why not.

    The CLI reads the same secrets file as the app (config.secrets_files), so an operator needs the
    administrator password to write, given in $CAREMAP_ADMIN_PASSWORD or typed at the prompt.
    """
    if problem := config.secrets_problem():
        return problem
    expected = valid_hash((config.secrets_section("admin") or {}).get("password_sha256"))
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
