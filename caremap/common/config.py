"""Configuration files checked at start-up, so a typo is reported with its line instead of silently ignored."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from caremap.common.paths import ROOT


def secrets_files() -> list[Path]:
    """The secrets files Streamlit reads (project, then user), or $CAREMAP_SECRETS_FILE when set."""
    override = os.environ.get("CAREMAP_SECRETS_FILE")
    candidates = [Path(override)] if override else [ROOT / ".streamlit" / "secrets.toml",
                                                     Path.home() / ".streamlit" / "secrets.toml"]
    return [p for p in candidates if p.is_file()]


def secrets_problem() -> str | None:
    """A message naming the file and line of a malformed secrets file, or None when all parse."""
    for path in secrets_files():
        try:
            tomllib.loads(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            return f"{path}: 文件不是 UTF-8 编码，请另存为 UTF-8。/ not UTF-8: save it as UTF-8."
        except tomllib.TOMLDecodeError as exc:
            return (f"{path}: TOML 语法错误 — {exc}。管理员登录与底图设置在修正前不可用。"
                    f" / TOML syntax error — {exc}. Admin login and map tiles stay off until it is fixed.")
    return None


def secrets_section(name: str) -> dict | None:
    """Section [name] of the first secrets file that has it (for the command line; the app reads st.secrets)."""
    for path in secrets_files():
        try:
            section = tomllib.loads(path.read_text(encoding="utf-8")).get(name)
        except (tomllib.TOMLDecodeError, UnicodeDecodeError):
            continue
        if isinstance(section, dict):
            return section
    return None
