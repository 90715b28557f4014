"""`python -m caremap serve --replicas N`: app replicas behind nginx on loopback, with sticky sessions, health
checks and WebSockets through the proxy (nginx from Debian, installed by scripts/install-dev.sh)."""

from __future__ import annotations

import urllib.request

import pytest

from caremap.cli import serve


def _get(url: str, cookie: str | None = None) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers={"Cookie": f"caremap_route={cookie}"} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as r:  # noqa: S310 (loopback)
        return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()


@pytest.fixture(scope="module")
def served(demo_db, tmp_path_factory):
    with serve.serving(2, serve._free_port(), str(demo_db), tmp_path_factory.mktemp("serve"), log=lambda _: None) as s:
        yield s


def test_the_template_fills_only_its_own_fields():
    text = serve.render("upstream u { ${CAREMAP_UPSTREAM_SERVERS} } proxy_set_header Upgrade $http_upgrade;",
                        {"CAREMAP_UPSTREAM_SERVERS": serve.upstream_servers([8501, 8502])})
    assert "server 127.0.0.1:8501 max_fails=2 fail_timeout=10s;" in text and "$http_upgrade" in text
    with pytest.raises(KeyError, match="CAREMAP_LISTEN"):
        serve.render("listen ${CAREMAP_LISTEN};", {})


def test_pages_and_health_are_served_through_nginx_with_sticky_sessions(served):
    status, headers, body = _get(f"{served.url}/_stcore/health")
    assert status == 200 and body == b"ok" and headers["server"].startswith("nginx")
    status, headers, body = _get(f"{served.url}/coverage")
    assert status == 200 and b"<div id=\"root\">" in body
    route = headers["set-cookie"].split(";")[0].split("=", 1)[1]   # a new browser gets its route
    replica = headers["x-caremap-replica"]
    assert replica in {u.removeprefix("http://") for u in served.replicas}
    for _ in range(10):   # the same browser always reaches the same replica
        assert _get(f"{served.url}/_stcore/health", route)[1]["x-caremap-replica"] == replica
    seen = {_get(f"{served.url}/_stcore/health", f"browser-{i}")[1]["x-caremap-replica"] for i in range(40)}
    assert seen == {u.removeprefix("http://") for u in served.replicas}   # browsers are spread over both


@pytest.mark.browser
def test_the_app_runs_in_a_browser_through_the_proxy(served):
    """The page needs its WebSocket: a figure drawn through nginx means the upgrade is proxied."""
    from browser import ConsoleLog, chromium

    with chromium(webgl=False) as browser:
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        log = ConsoleLog(page)
        page.goto(f"{served.url}/?district=440305")
        page.get_by_text("儿童服务点").first.wait_for(timeout=90_000)
        page.get_by_text("南山区").first.wait_for(timeout=30_000)
        assert not log.errors
