"""Personal data are masked on every page outside the admin page and in every download (caremap.report.masking)."""

import io
import re
import zipfile

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from caremap.report import masking
from caremap.store import db
from conftest import PAGES, app_test, xlsx_table

# An unmasked mobile: the demo's fictitious 100xxxxxxxx or a real Chinese mobile 1[3-9]xxxxxxxxx.
MOBILE = re.compile(r"(?<!\d)(100\d{8}|1[3-9]\d{9})(?!\d)")


@pytest.mark.parametrize(("raw", "masked"), [("张三明", "张*明"), ("张三", "张*"), ("欧阳小明", "欧**明"), ("李", "*"),
                                              (" 王五 ", "王*"), ("", ""), (None, None)])
def test_mask_name(raw, masked):
    assert masking.mask_name(raw) == masked


@pytest.mark.parametrize(("raw", "masked"), [
    ("13812345678", "138****5678"), ("10000000001", "100****0001"), ("+86 138 1234 5678", "138****5678"),
    ("0755-12345678", "0755-****5678"), ("075512345678", "0755-****5678"), ("020-1234567", "020-***4567"),
    ("12345", "*2345"), ("", ""), (None, None)])
def test_mask_phone(raw, masked):
    assert masking.mask_phone(raw) == masked


def test_mask_personal_masks_only_personal_columns_and_leaves_the_input_alone():
    df = pd.DataFrame({"name": ["张三明", None], "phone": ["13812345678", "0755-12345678"], "role": ["儿童主任"] * 2,
                       "姓名": ["李四", "王"], "电话": ["13900001111", None]})
    out = masking.mask_personal(df)
    assert out.to_dict("list") == {"name": ["张*明", None], "phone": ["138****5678", "0755-****5678"],
                                   "role": ["儿童主任"] * 2, "姓名": ["李*", "*"], "电话": ["139****1111", None]}
    assert df.loc[0, "name"] == "张三明"


def test_mask_mobiles_in_free_text_keeps_landlines():
    assert masking.mask_mobiles("联系 138-1234-5678 或 0755-12345678") == "联系 138****5678 或 0755-12345678"
    assert masking.mask_mobiles(None) is None


@given(st.from_regex(r"1[0-9]{10}", fullmatch=True))
def test_no_mobile_survives_masking(number):
    assert not MOBILE.search(masking.mask_phone(number))
    assert not MOBILE.search(masking.mask_mobiles(f"电话{number}。"))


@given(st.text(min_size=2, max_size=8).filter(lambda s: s.strip() == s and len(s) >= 2))
def test_masked_names_keep_length_and_hide_the_middle(name):
    masked = masking.mask_name(name)
    assert len(masked) == len(name) and masked[0] == name[0] and masked[1] == "*"


def rendered_text(at) -> str:
    """All text a user sees: markdown, captions, metrics, alerts, table cells and column names."""
    parts = [e.value for kind in ("markdown", "caption", "text", "title", "header", "subheader", "info", "warning",
                                  "error", "success") for e in getattr(at, kind)]
    parts += [f"{m.label} {m.value}" for m in at.metric]
    for frame in at.dataframe:
        df = frame.value
        parts.append(" ".join(map(str, df.columns)) + "\n" + df.astype(str).to_csv(index=False))
    return "\n".join(map(str, parts))


def download_text(content: bytes) -> str:
    """The text inside a download: every member of an XLSX/PPTX (zip) archive, else the bytes as UTF-8."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "ignore") for n in archive.namelist())
    return content.decode("utf-8", "ignore")


@pytest.mark.parametrize("page", [p for p in PAGES if not p.endswith("data_admin.py")])
@pytest.mark.parametrize("district", [None, "440305"])
def test_no_unmasked_phone_on_any_page_or_download(page, district, downloads):
    at = app_test(page, district=district)
    assert not at.exception, at.exception
    text = rendered_text(at)
    assert not MOBILE.search(text), MOBILE.search(text).group(0)
    for url, content in downloads(at).items():
        found = MOBILE.search(download_text(content))
        assert not found, f"{page} download {url} holds {found.group(0)}"


def test_workforce_roster_and_its_downloads_show_masked_names_and_phones(downloads):
    roster = db.query("workforce_roster", district="440305", street=None)
    at = app_test("pages/workforce.py", district="440305")
    table = next(f.value for f in at.dataframe if "姓名" in f.value.columns)
    in_post = roster["status"] == "在岗"
    assert table["姓名"].tolist() == roster["name"].map(masking.mask_name).tolist()
    assert set(table.loc[in_post.values, "姓名"].str[1]) == {"*"}
    assert table.loc[in_post.values, "电话"].str.fullmatch(r"100\*{4}\d{4}").all()
    files = downloads(at)
    for key in ("workforce_roster_csv", "workforce_roster_xlsx"):
        content = files[key]
        frame = pd.read_csv(io.BytesIO(content), encoding="utf-8-sig", dtype=str) if key.endswith("csv") else \
            xlsx_table(content, dtype=str)
        assert frame["姓名"].fillna("").tolist() == table["姓名"].fillna("").tolist()
        assert frame["电话"].fillna("").tolist() == table["电话"].fillna("").tolist()
        assert not any(n in download_text(content) for n in roster["name"].dropna() if len(n) > 1)
