"""Coverage standards: read and check data/reference/coverage_standards.toml."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

from caremap.common import dates
from caremap.common.paths import REFERENCE

LEVELS = ("district", "street", "community")
KINDS = {"category": ("category",), "worker": ("role",), "distance": ("categories", "max_m")}
ROLES = ("儿童督导员", "儿童主任")


class StandardsError(ValueError):
    """A malformed standards file; the message names the file and line."""


def _line_of(text: str, standard_id: str | None, index: int) -> int:
    if standard_id:
        for n, line in enumerate(text.splitlines(), 1):
            if re.match(rf'\s*id\s*=\s*["\']{re.escape(standard_id)}["\']', line):
                return n
    starts = [n for n, line in enumerate(text.splitlines(), 1) if line.strip() == "[[standard]]"]
    return starts[index] if index < len(starts) else 1


def load(path: Path = REFERENCE / "coverage_standards.toml", categories: set[str] | None = None) -> list[dict]:
    """The standards as dicts, in file order; raises StandardsError naming the line of any problem."""
    text = path.read_text(encoding="utf-8")
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise StandardsError(f"{path.name}: TOML 语法错误 — {exc}。请按 TOML 格式修正该行。") from exc
    items = doc.get("standard")
    if not isinstance(items, list) or not items:
        raise StandardsError(f"{path.name}: 没有找到任何 [[standard]] 段落。")
    seen, out = set(), []
    for i, item in enumerate(items):
        sid = item.get("id")
        where = f"{path.name} 第 {_line_of(text, sid if isinstance(sid, str) else None, i)} 行"

        def fail(msg: str, where=where, sid=sid, i=i) -> None:
            raise StandardsError(f"{where}（标准 {sid or i + 1}）: {msg}")

        if not isinstance(sid, str) or not re.fullmatch(r"[A-Za-z0-9_]+", sid):
            fail("id 必须是由字母、数字、下划线组成的字符串")
        if sid in seen:
            fail(f"id {sid!r} 重复")
        seen.add(sid)
        if item.get("level") not in LEVELS:
            fail(f"level 应为 {'、'.join(LEVELS)} 之一，而不是 {item.get('level')!r}")
        kind = item.get("kind")
        if kind not in KINDS:
            fail(f"kind 应为 {'、'.join(KINDS)} 之一，而不是 {kind!r}")
        for key in KINDS[kind]:
            if key not in item:
                fail(f"kind = {kind!r} 的标准需要填写 {key}")
        wanted = [item["category"]] if kind == "category" else item.get("categories", [])
        if categories is not None:
            unknown = [c for c in wanted if c not in categories]
            if unknown:
                fail(f"未知的服务类别 {unknown}；可用类别见 service_categories.csv 的 code 列")
        if kind == "worker" and item["role"] not in ROLES:
            fail(f"role 应为 {'、'.join(ROLES)} 之一")
        if kind == "distance":
            if not isinstance(item["max_m"], (int, float)) or not 0 < item["max_m"] <= 20000:
                fail("max_m 应为 0 到 20000 之间的米数")
            if item["level"] != "community":
                fail("步行距离标准只适用于 community 级")
        for key in ("label_zh", "label_en"):
            if not isinstance(item.get(key), str) or not item[key].strip():
                fail(f"需要填写 {key}")
        share = item.get("target_share", 1.0)
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share <= 1:
            fail(f"target_share 应为 0 到 1 之间的比例（如 0.9 表示 90%），而不是 {share!r}")
        target_date = item.get("target_date")
        if target_date is not None:
            target_date = dates.iso_date(str(target_date))
            if target_date is None:
                fail(f"target_date 应为日期 YYYY-MM-DD，而不是 {item.get('target_date')!r}")
        out.append({
            "id": sid, "sort_order": i + 1, "level": item["level"], "kind": kind,
            "category": item.get("category"), "role": item.get("role"),
            "categories": item.get("categories"), "max_m": float(item["max_m"]) if "max_m" in item else None,
            "label_zh": item["label_zh"], "label_en": item["label_en"], "basis": item.get("basis"),
            "target_share": float(share), "target_date": target_date, "target_basis": item.get("target_basis"),
        })
    return out
