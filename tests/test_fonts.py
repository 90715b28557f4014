"""CJK font detection, registration with vl-convert, and proof that exported images draw real Chinese glyphs."""

import io
import itertools

import altair as alt
import pandas as pd
import pytest
from PIL import Image, ImageChops, ImageDraw, ImageFont

from caremap import cli
from caremap.report import charts, files, fonts
from conftest import app_test

CHARS = ["儿", "童", "服", "务", "区"]
TOFU = "□"  # what a missing glyph looks like to a reader


def _text_figure(text: str, font: str) -> charts.Figure:
    """A chart of one large character, through the same export path as every chart."""
    data = pd.DataFrame({"t": [text]})
    chart = alt.Chart(data).mark_text(fontSize=48, font=font).encode(text="t:N").properties(width=80, height=80) \
        .configure_view(stroke=None)
    return charts.Figure("glyph", text, chart, data, "test", "test")


def _png(text: str, font: str) -> Image.Image:
    """The rendering in grey levels (dark text on the chart's white background)."""
    return Image.open(io.BytesIO(files.to_png(_text_figure(text, font), scale=1))).convert("L")


def _distinct(images: dict) -> bool:
    """Every pair of renderings differs: missing glyphs all draw the same box (or nothing)."""
    return all(ImageChops.difference(images[a], images[b]).getbbox() is not None
               for a, b in itertools.combinations(images, 2))


def test_a_cjk_font_is_found_and_registered():
    status = fonts.cjk_font_status()
    assert status.ok, status.message("en")
    assert status.path.exists() and ("CJK" in status.family or status.family in fonts.PREFERRED)
    assert str(status.directory) in fonts._registered


def test_scan_finds_a_font_without_fontconfig(tmp_path):
    real = fonts.cjk_font_status().path
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / real.name).symlink_to(real)
    (tmp_path / "DejaVuSans.ttf").write_bytes(b"not a cjk font")
    status = fonts.find_cjk_font(dirs=[tmp_path], use_fc_list=False)
    assert status.ok and status.path == tmp_path / "sub" / real.name


def test_a_missing_font_is_reported_with_the_fix(tmp_path):
    status = fonts.find_cjk_font(dirs=[tmp_path], use_fc_list=False)
    assert not status.ok
    assert "fonts-noto-cjk" in status.message("zh") and "方框" in status.message("zh")
    assert "boxes" in status.message("en")


def test_exported_png_draws_real_chinese_glyphs():
    cjk = {ch: _png(ch, charts.CJK_FONT) for ch in CHARS + [TOFU]}
    assert all(img.getextrema()[0] < 100 for img in cjk.values()), "every character must draw dark pixels"
    assert _distinct(cjk), "each character must draw its own glyph, none the same as a box"
    # The check can fail: with a font family that does not exist, nothing distinguishes the characters.
    missing = {ch: _png(ch, "NoSuchFont CareMap") for ch in CHARS[:3]}
    assert not _distinct(missing)


def test_slide_text_font_draws_real_chinese_glyphs():
    def draw(font, ch):
        img = Image.new("L", (80, 80), 0)
        ImageDraw.Draw(img).text((10, 5), ch, font=font, fill=255)
        return img

    font = fonts.pil_font(48)
    assert "CJK" in font.getname()[0] or font.getname()[0] in fonts.PREFERRED
    assert _distinct({ch: draw(font, ch) for ch in CHARS + [TOFU]})
    latin_only = ImageFont.load_default(48)  # has no CJK glyphs: every character is the same .notdef box
    assert not _distinct({ch: draw(latin_only, ch) for ch in CHARS[:3]})


@pytest.fixture()
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_font_status", lambda: fonts.FontStatus(False))


def test_cli_warns_on_stderr_when_no_cjk_font(no_cjk_font, tmp_path, capsys):
    out = tmp_path / "chart.svg"
    assert cli.main(["export", "points_by_system", "--format", "svg", "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert "未找到中文（CJK）字体" in err and "No CJK font found" in err
    assert out.exists()


def test_cli_is_quiet_about_fonts_when_one_is_installed(tmp_path, capsys):
    assert cli.main(["export", "points_by_system", "--format", "svg", "--out", str(tmp_path / "c.svg")]) == 0
    assert "CJK" not in capsys.readouterr().err


def test_app_warns_when_no_cjk_font(no_cjk_font):
    at = app_test("pages/briefing.py")
    assert not at.exception
    assert any("未找到中文字体" in w.value for w in at.warning)


def test_app_does_not_warn_when_a_font_is_installed():
    at = app_test("pages/briefing.py")
    assert not any("未找到中文字体" in w.value for w in at.warning)
