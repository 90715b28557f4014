"""AppTest of the dashboard and every page: runs without exceptions at city and district scope."""

import pytest

from caremap.store import db
from conftest import PAGES, app_test


def test_dashboard_runs_and_shows_the_overview_with_the_database_figures():
    at = app_test("dashboard.py")
    assert not at.exception
    row = db.query("metric_values", district=None, street=None).astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["儿童服务点"] == f"{int(row['service_points']):,}"
    assert metrics["在岗儿童督导员"] == "74"
    assert metrics["服务人次"] == "330万"
    assert any("示例数据" in w.value for w in at.sidebar.warning)


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("district", [None, "440305"])
def test_every_page_runs(page, district):
    at = app_test(page, district=district)
    assert not at.exception, at.exception
    assert any("示例数据" in c.value for c in at.caption), "demo data must be labelled 示例数据"


@pytest.mark.parametrize("page", PAGES)
def test_every_page_speaks_english(page):
    at = app_test(page, lang="en")
    assert not at.exception, at.exception


def test_overview_at_district_scope_shows_the_district_figures():
    at = app_test("pages/overview.py", district="440305")
    row = db.query("metric_values", district="440305", street=None).astype(object).iloc[0]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["儿童服务点"] == f"{int(row['service_points']):,}"
    assert metrics["在岗儿童主任"] == f"{int(row['directors_in_post']):,}"
    assert "范围：全市 › 南山区" in [c.value for c in at.caption]
    assert not any(c.value.startswith("公布数") for c in at.caption)  # city totals only at city scope


def test_overview_street_scope_and_unknown_codes_fall_back():
    at = app_test("pages/overview.py", district="440305", street="440305007")
    assert "范围：全市 › 南山区 › 粤海街道" in [c.value for c in at.caption]
    at = app_test("pages/overview.py", district="999999")
    assert "范围：全市" in [c.value for c in at.caption]
