"""Concurrent users in real browsers: N Chromium contexts working at once against a running app.

Each session loops for a bounded time: open the overview at a scope (a new script run, as a sidebar
change is), wait for the figures, read the data version shown in the sidebar and the headline figure,
and record the time it took. Used by the reliability tests and by `python -m caremap bench`.
Traffic goes only to the URL given (a local app started by the caller).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-dev-shm-usage"]
SCOPES = [None, "440303", "440304", "440305", "440306", "440307", "440308", "440309", "440310", "440311", "4403DP"]


@dataclass
class Observation:
    session: int
    district: str | None
    version: str
    service_points: str
    seconds: float


@dataclass
class LoadResult:
    observations: list[Observation] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    sessions: int = 0
    seconds: float = 0.0

    def percentile(self, q: float) -> float | None:
        times = sorted(o.seconds for o in self.observations)
        if not times:
            return None
        return times[min(len(times) - 1, int(round(q * (len(times) - 1))))]

    def summary(self) -> dict:
        times = [o.seconds for o in self.observations]
        return {"sessions": self.sessions, "duration_seconds": self.seconds, "interactions": len(times),
                "errors": len(self.errors), "p50_seconds": statistics.median(times) if times else None,
                "p95_seconds": self.percentile(0.95),
                "versions_seen": sorted({o.version for o in self.observations})}


async def _session(browser, url: str, index: int, stop_at: float, result: LoadResult) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"session {index}: pageerror {exc}"))
    step = index
    try:
        while time.monotonic() < stop_at:
            district = SCOPES[step % len(SCOPES)]
            step += 1
            target = f"{url}/?district={district}" if district else f"{url}/"
            t0 = time.monotonic()
            await page.goto(target, timeout=60_000)
            scope_text = "范围：全市" + (" › " if district else "")
            await page.get_by_text(scope_text).first.wait_for(timeout=60_000)
            value = page.get_by_test_id("stMetricValue").first
            await value.wait_for(timeout=60_000)
            version_text = await page.get_by_test_id("stSidebar").get_by_text("数据版本").first.inner_text()
            points = (await value.inner_text()).strip()
            elapsed = time.monotonic() - t0
            if await page.get_by_test_id("stException").count():
                result.errors.append(f"session {index}: exception shown at {target}")
            result.observations.append(Observation(index, district, version_text.split()[1], points, elapsed))
    except Exception as exc:  # noqa: BLE001 — every failure of a session is a finding to report
        result.errors.append(f"session {index}: {type(exc).__name__}: {str(exc)[:300]}")
    finally:
        await context.close()


async def _run(url: str, sessions: int, seconds: float, midway: Callable[[], None] | None) -> LoadResult:
    from playwright.async_api import async_playwright

    result = LoadResult(sessions=sessions)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            t0 = time.monotonic()
            stop_at = t0 + seconds
            tasks = [asyncio.create_task(_session(browser, url, i, stop_at, result)) for i in range(sessions)]
            if midway is not None:
                await asyncio.sleep(seconds / 2)
                await asyncio.to_thread(midway)
            await asyncio.gather(*tasks)
            result.seconds = time.monotonic() - t0
        finally:
            await browser.close()
    return result


def run_sessions(url: str, sessions: int = 20, seconds: float = 40.0,
                 midway: Callable[[], None] | None = None) -> LoadResult:
    """Drive `sessions` browser contexts against `url` for `seconds`; call `midway()` halfway through."""
    return asyncio.run(_run(url, sessions, seconds, midway))
