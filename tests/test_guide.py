"""The first-run guide on the Overview: what CareMap is for, what 示例数据 means, three things to try, how to bring
the bureau's data, where the definitions are; shown until dismissed, and remembered in the browser."""

from __future__ import annotations

import pytest

from caremap.common.i18n import t
from conftest import app_test

PARTS = ("guide_what", "guide_demo", "guide_try", "guide_own_data", "guide_definitions")


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_guide_says_what_to_do_first_and_goes_when_dismissed(language):
    at = app_test("dashboard.py", lang=language)
    assert not at.exception
    text = "\n".join(m.value for m in at.markdown)
    for part in PARTS:
        assert t(f"overview.{part}", language) in text, part
    assert "示例数据" in t("overview.guide_demo", language)
    links = [p.proto.label for p in at.get("page_link")]
    for key in ("coverage", "map", "briefing"):
        assert t(f"overview.guide_try_{key}", language) in links
    assert t("glossary.title", language) in links
    at.button(key="overview_guide_dismiss").click().run()
    assert not at.exception
    assert t("overview.guide_what", language) not in "\n".join(m.value for m in at.markdown)
    at.run()  # and it stays away on every rerun of the session
    assert t("overview.guide_what", language) not in "\n".join(m.value for m in at.markdown)
    assert at.metric  # the figures are still there


@pytest.mark.browser
def test_a_dismissed_guide_stays_away_when_the_browser_comes_back(demo_db):
    from browser import ConsoleLog, chromium, streamlit_app

    what = t("overview.guide_what", "zh")
    with streamlit_app(db=demo_db, name="guide") as url, chromium(webgl=False) as browser:
        context = browser.new_context()
        page = context.new_page()
        log = ConsoleLog(page)
        page.goto(url)
        page.get_by_text(what).wait_for(timeout=60_000)
        page.get_by_role("button", name=t("overview.guide_dismiss", "zh")).click()
        page.get_by_text(what).wait_for(state="detached", timeout=30_000)
        page.wait_for_function("() => document.cookie.includes('caremap_guide=dismissed')", timeout=30_000)
        page.goto(url)  # a new session in the same browser
        page.get_by_text("儿童服务点").first.wait_for(timeout=60_000)
        assert page.get_by_text(what).count() == 0
        other = browser.new_context().new_page()  # another browser profile still gets the guide
        other.goto(url)
        other.get_by_text(what).wait_for(timeout=60_000)
        assert not log.external_requests(url) and not log.errors, log.errors
