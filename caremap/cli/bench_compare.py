"""The periods part of `python -m caremap bench`: comparing two published versions and the trends over all of them,
with eight periods at the scale measured (the live version and seven earlier ones, made as the demo's own earlier
periods are: a deterministic share of homes, workstations and directors not there yet).

Timed as a running app meets them: the version files already open (the app keeps them open), each comparison's
figures not yet computed (the caches of results are cleared before every run)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

from caremap.cli.timing import median_time as _median  # a warm-up run, then the median of `repeat`

# seven earlier periods, a quarter apart, before the demo's live 2020-05-31 (share of homes, workstations and
# directors not there yet, per cent)
PERIODS = tuple((as_of, f"{as_of[:4]}年第{(int(as_of[5:7]) + 2) // 3}季度（基准测试）", share) for as_of, share in (
    ("2018-06-30", 35), ("2018-09-30", 30), ("2018-12-31", 25), ("2019-03-31", 20), ("2019-06-30", 15),
    ("2019-09-30", 10), ("2019-12-31", 5)))
DISTRICT = "440306"


def measure(db: Path, folder: Path, repeat: int) -> dict:
    """Seconds: publishing the seven earlier periods; one comparison (oldest and newest earlier period with the
    live one, city and district); the trend and the per-district progress over the eight periods."""
    from caremap.report import compare
    from caremap.store import build, versions
    from caremap.store import db as dbmod

    folder.mkdir(parents=True, exist_ok=True)
    live = folder / "caremap.duckdb"
    copy = folder / ".copy.duckdb"
    shutil.copyfile(db, copy)
    versions.publish_built(copy, dbmod.file_meta(copy)["data_version"], live)   # the live version, under versions/
    t0 = time.perf_counter()
    build.build_history(live, PERIODS)
    history_s = time.perf_counter() - t0
    found = compare.periods(live)
    now = next(p for p in found if p.live)
    earlier = [p for p in found if not p.live]

    def fresh(before, district):
        compare.compare.cache_clear()
        compare._figures.cache_clear()
        compare.compare(before, now, district)

    def trend():
        compare._figures.cache_clear()
        compare._trend.cache_clear()
        compare._progress.cache_clear()
        compare.trend(db_file=live)
        compare.progress(live)

    for p in found:   # open every version once, as a running app has
        compare._open(p)
    out = {"periods": len(found), "history_publish_seconds": history_s}
    for name, before in (("oldest", earlier[0]), ("previous", earlier[-1])):
        out[f"{name}.city_seconds"] = _median(lambda b=before: fresh(b, None), repeat)
        out[f"{name}.district_seconds"] = _median(lambda b=before: fresh(b, DISTRICT), repeat)
    out["trend_and_progress_seconds"] = _median(trend, repeat)
    out["comparison_seconds_max"] = max(v for k, v in out.items() if k.endswith(("city_seconds", "district_seconds")))
    compare._open.cache_clear()
    compare._pair.cache_clear()
    return out
