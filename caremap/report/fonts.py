"""CJK font detection: find a Chinese font on the machine, register it for vl-convert, warn when missing.

Without a CJK font every exported chart would show empty boxes (□) instead of Chinese. The app and the
CLI call cjk_font_status() and warn instead of producing such files silently.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Families the charts ask for first (charts.CJK_FONT), then other common CJK families, best first.
PREFERRED = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "Noto Sans SC", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "Droid Sans Fallback", "AR PL UMing CN", "Noto Serif CJK SC")
# File-name hints for the scan when fontconfig is absent.
_FILE_HINTS = ("notosanscjk", "notoserifcjk", "notosanssc", "sourcehansans", "wqy", "droidsansfallback",
               "uming", "ukai", "simhei", "simsun", "msyh", "pingfang")
FONT_DIRS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"), Path.home() / ".fonts",
             Path.home() / ".local/share/fonts")
INSTALL_HINT = "apt-get install fonts-noto-cjk"


@dataclass(frozen=True)
class FontStatus:
    ok: bool
    family: str | None = None
    path: Path | None = None

    @property
    def directory(self) -> Path | None:
        return self.path.parent if self.path else None

    def message(self, lang: str = "zh") -> str:
        if self.ok:
            return (f"中文字体：{self.family}（{self.path}）" if lang == "zh"
                    else f"CJK font: {self.family} ({self.path})")
        return ("未找到中文（CJK）字体：导出的图片中的中文会显示为方框。请安装：" + INSTALL_HINT if lang == "zh" else
                "No CJK font found: Chinese text in exported images would show as boxes. Install: " + INSTALL_HINT)


def _from_fc_list() -> list[tuple[str, Path]]:
    """(family, file) pairs of fonts covering Chinese, from fontconfig's `fc-list :lang=zh file family`."""
    if not shutil.which("fc-list"):
        return []
    try:
        out = subprocess.run(["fc-list", ":lang=zh", "file", "family"], capture_output=True, text=True,
                             timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    pairs = []
    for line in out.splitlines():
        file_part, _, families = line.partition(":")
        for family in families.split(","):
            if family.strip():
                pairs.append((family.strip(), Path(file_part.strip())))
    return pairs


def _from_scan(dirs) -> list[tuple[str, Path]]:
    """(family guess, file) pairs from font files whose names look CJK, when fontconfig is absent."""
    pairs = []
    for base in dirs:
        if not Path(base).is_dir():
            continue
        for root, _, files in os.walk(base):
            for name in sorted(files):
                low = name.lower().replace("-", "").replace("_", "")
                if low.endswith((".ttf", ".ttc", ".otf", ".otc")) and any(h in low for h in _FILE_HINTS):
                    family = "Noto Sans CJK SC" if low.startswith("notosanscjk") else Path(name).stem
                    pairs.append((family, Path(root) / name))
    return pairs


def find_cjk_font(dirs=None, use_fc_list: bool = True) -> FontStatus:
    """The best CJK font on the machine: fontconfig first, then a scan of `dirs` (default FONT_DIRS)."""
    pairs = (_from_fc_list() if use_fc_list else []) or _from_scan(dirs if dirs is not None else FONT_DIRS)
    pairs = [(f, p) for f, p in pairs if p.exists()]
    if not pairs:
        return FontStatus(False)
    rank = {name: i for i, name in enumerate(PREFERRED)}
    # Regular weight before bold: the file chosen is also the one Pillow draws slide text with.
    family, path = min(pairs, key=lambda fp: (rank.get(fp[0], len(PREFERRED)), "bold" in fp[1].name.lower(),
                                              str(fp[1])))
    return FontStatus(True, family, path)


@lru_cache(maxsize=1)
def cjk_font_status() -> FontStatus:
    """The machine's CJK font (detected once per process); registered with vl-convert when found."""
    status = find_cjk_font()
    if status.ok:
        register(status.directory)
    return status


_registered: set[str] = set()


def register(directory: Path) -> None:
    """Register a font folder with vl-convert once per process (it also reads the system font folders)."""
    import vl_convert

    if str(directory) not in _registered:
        vl_convert.register_font_directory(str(directory))
        _registered.add(str(directory))


def pil_font(size: int, bold: bool = False):
    """A Pillow font of the CJK family (the Simplified Chinese face of a .ttc), or Pillow's default."""
    from PIL import ImageFont

    status = cjk_font_status()
    if not status.ok:
        return ImageFont.load_default(size)
    path = status.path
    if bold:
        bold_path = path.with_name(path.name.replace("Regular", "Bold"))
        path = bold_path if bold_path.exists() else path
    if path.suffix.lower() not in (".ttc", ".otc"):
        return ImageFont.truetype(str(path), size)
    fallback = None
    for index in range(16):  # a collection: pick the face named like the family (SC, not JP)
        try:
            font = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            break
        name = font.getname()[0]
        fallback = fallback or font
        if name == status.family or name.endswith(" SC"):
            return font
    return fallback or ImageFont.load_default(size)
