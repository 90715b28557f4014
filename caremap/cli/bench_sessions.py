"""Concurrent users in real browsers: N Chromium contexts working at once against a running app.

Each session works through rounds of interactions: open the overview at a scope (a new script run, as
a sidebar change is), wait for the figures, read the data version shown in the sidebar and the headline
figure, and record the time it took. Once every session has finished its first round, `midway()` runs
(e.g. an import publishing a new version) while the sessions go on with the second; the last round
starts after it has finished, so both versions are served. Every wait is bounded. Used by the
reliability tests and by `python -m caremap bench`. Traffic goes only to the URL given (a local app
started by the caller).
"""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from caremap.common import chromium

SCOPES = [None, "440303", "440304", "440305", "440306", "440307", "440308", "440309", "440310", "440311", "4403DP"]
WAIT_MS = 180_000


@dataclass
class Observation:
    session: int
    round: int
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


async def _interact(page, url: str, district: str | None) -> tuple[str, str]:
    target = f"{url}/?district={district}" if district else f"{url}/"
    await page.goto(target, timeout=WAIT_MS)
    await page.get_by_text("范围：全市" + (" › " if district else "")).first.wait_for(timeout=WAIT_MS)
    metric = page.get_by_test_id("stMetric").filter(has_text="儿童服务点").first
    await metric.wait_for(timeout=WAIT_MS)
    value = metric.get_by_test_id("stMetricValue")
    version_text = await page.get_by_test_id("stSidebar").get_by_text("数据版本").first.inner_text()
    if await page.get_by_test_id("stException").count():
        raise RuntimeError(f"exception shown at {target}")
    return version_text.split()[1], (await value.inner_text()).strip()


async def _session(browser, url: str, index: int, rounds: int, round_done: list, may_start: list,
                   result: LoadResult) -> None:
    context = await browser.new_context(viewport={"width": 1280, "height": 900})
    page = await context.new_page()
    page.on("pageerror", lambda exc: result.errors.append(f"session {index}: pageerror {exc}"))
    try:
        for n in range(rounds):
            await may_start[n].wait()
            district = SCOPES[(index + n) % len(SCOPES)]
            t0 = time.monotonic()
            try:
                version, points = await _interact(page, url, district)
                result.observations.append(Observation(index, n, district, version, points, time.monotonic() - t0))
            except Exception as exc:  # noqa: BLE001 — every failure of a session is a finding to report
                result.errors.append(f"session {index} round {n}: {type(exc).__name__}: {str(exc)[:300]}")
            round_done[n].append(index)
    finally:
        await context.close()


async def _run(url: str, sessions: int, rounds: int, midway: Callable[[], None] | None) -> LoadResult:
    from playwright.async_api import async_playwright

    result = LoadResult(sessions=sessions)
    round_done: list[list[int]] = [[] for _ in range(rounds)]
    may_start = [asyncio.Event() for _ in range(rounds)]
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium.executable(), args=chromium.ARGS, headless=True)
        try:
            t0 = time.monotonic()
            may_start[0].set()
            tasks = [asyncio.create_task(_session(browser, url, i, rounds, round_done, may_start, result))
                     for i in range(sessions)]
            while len(round_done[0]) < sessions and not all(t.done() for t in tasks):
                await asyncio.sleep(0.2)
            if rounds > 1:
                may_start[1].set()
            if midway is not None:
                await asyncio.to_thread(midway)  # the sessions keep working meanwhile
            for n in range(2, rounds):
                while len(round_done[n - 1]) < sessions and not all(t.done() for t in tasks):
                    await asyncio.sleep(0.2)
                may_start[n].set()
            await asyncio.gather(*tasks)
            result.seconds = time.monotonic() - t0
        finally:
            await browser.close()
    return result


def run_sessions(url: str, sessions: int = 20, rounds: int = 3,
                 midway: Callable[[], None] | None = None) -> LoadResult:
    """Drive `sessions` browser contexts against `url` for `rounds` interactions each (see module doc)."""
    return asyncio.run(_run(url, sessions, rounds, midway))
