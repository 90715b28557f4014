"""`python -m caremap bench`: page script times, query times at scale, payload, build time and memory.

Every figure is a median over repeated runs after a warm-up. Scales are generated with the demo
generator into a temporary folder (never data/demo). `--json` prints one JSON object.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from caremap.cli import bench_browser, bench_compare, bench_geo, bench_load
from caremap.cli.timing import median_time
from caremap.common import chromium
from caremap.common.paths import ROOT

HELP = "性能基准 / performance benchmark (see docs/performance.md)"

# Parameters for running any named query as one user interaction would (city scope unless set).
# A value for every named-query parameter, as one user interaction would send it (city scope unless set).
# tests/test_queries.py runs every query with these too, so a new parameter needs a value here.
SAMPLE_PARAMS = {"district": None, "street": None, "lang": "zh", "category": "children_home", "k": 3,
                 "max_m": 1000.0, "limit": 20, "offset": 0, "search": "南山", "org_id": "ORG01", "level": "street",
                 "categories": ("children_home",), "role": "儿童主任", "policy_level": "national",
                 "topic": "minor_protection", "year": 2020, "max_rows": 3, "system": "民政",
                 "page_size": 20, "page_start": 0, "cell_m": 500.0,
                 "lon": 114.06, "lat": 22.54, "age": "3-5", "form": "到站", "id": "SP0000001",
                 "moved_m": 10.0}
# What the app itself sends where one sample value does not fit every query. The map asks for raw points only
# when at most MAX_RAW_POINTS match (caremap.report.maps; above that it bins): at x1000, rescue centres (10,000) are
# such a call, all 1.5 million points are not (they are binned: map_point_bins). The directory is timed as a
# user types a text, with no filter.
QUERY_PARAMS = {"map_points": {"max_rows": 20_000, "categories": ("rescue_centre",), "system": None, "level": None},
                "map_sites": {"max_rows": 20_000}, "sw_org_sites": {"max_rows": 20_000}, "map_search": {"max_rows": 20},
                "announcement_list": {"max_rows": 10},
                "directory_search": {"category": None, "system": None, "page_size": 20, "page_start": 0},
                # the map as it opens: every category, binned at city scope (the sample filters match nothing)
                **{q: {"categories": None, "system": None, "level": None}
                   for q in ("map_point_bins", "map_point_count", "map_districts", "map_streets")}}
# The directory's city-wide text search (issue #21), timed per kind of text: one and two characters, a long phrase,
# pinyin initials, no hit, many hits (南山, ftjd, etzj), digits, and metacharacters.
SEARCH_TEXTS = ("南", "儿", "南山", "ftjd", "etzj", "南山区儿童之家", "长城社区儿童之家",
                "深圳市福田区福田街道示例路12号", "未成年人保护工作站·63", "zzqxw没有这个", "%", "a", "12号", "示例路1",
                "633", "2")
# Queries run once per import check (caremap.ingest), not on a click: reported apart from the interactions.
IMPORT_PREFIX = "import_"
COMPARE_MAX_SCALE = 100  # the comparison is measured with eight periods up to this scale (x1000: 8 copies of 1.5 GB)
DISTRICT = "440305"
TRIVIAL_PAGE = "import streamlit as st\nst.write('ok')\n"


def add_arguments(p):
    p.add_argument("--scale", type=int, default=1000,
                   help="largest data scale to measure (scales 1, 100, 1000 up to this; default 1000)")
    p.add_argument("--repeat", type=int, default=5, help="runs per measurement after one warm-up (default 5)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--skip-pages", action="store_true", help="skip the page timings")
    p.add_argument("--skip-cold-start", action="store_true", help="skip the cold-start measurement")
    p.add_argument("--skip-browser", action="store_true",
                   help="skip the click-to-settled timings in headless Chromium (cli/bench_browser.py)")
    p.add_argument("--sessions", type=int, default=20,
                   help="concurrent browser sessions for the interaction-time test (0 skips it; default 20)")
    p.add_argument("--load-sessions", type=int, default=50,
                   help="simulated protocol-level sessions with 1 and 2 replicas behind nginx (0 skips it; default 50)")


def scales_up_to(n: int) -> list[int]:
    return sorted({s for s in (1, 100, 1000) if s <= n} | {n})


# ---------------------------------------------------------------- pages
def page_times(db: Path, repeat: int) -> dict:
    """Server-side script time of every page (AppTest run) and of a one-line page, the floor."""
    from streamlit.testing.v1 import AppTest

    os.environ["CAREMAP_DB"] = str(db)
    with tempfile.TemporaryDirectory() as tmp:
        trivial = Path(tmp) / "trivial.py"
        trivial.write_text(TRIVIAL_PAGE, encoding="utf-8")
        scripts = {"trivial": trivial} | {p.stem: p for p in sorted((ROOT / "pages").glob("*.py"))}
        out = {}
        for name, path in scripts.items():
            def run(path=path):
                at = AppTest.from_file(str(path), default_timeout=120)
                at.run()
                if at.exception:
                    raise RuntimeError(f"{path.name}: {at.exception[0].message}")
            out[name] = median_time(run, repeat)
    floor = out["trivial"]
    return {"page_seconds": out, "page_ratio_to_trivial": {k: v / floor for k, v in out.items() if k != "trivial"}}


# ---------------------------------------------------------------- data at scale
def _rss_subprocess(code: str) -> tuple[dict, float]:
    """Run Python code in a child; returns (its JSON result, its peak RSS in MiB)."""
    wrapper = (f"import json, resource\n{code}\n"
               "print(json.dumps({'result': result, "
               "'rss_mib': resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))")
    out = subprocess.run([sys.executable, "-c", wrapper], cwd=ROOT, capture_output=True, text=True, check=True)
    doc = json.loads(out.stdout.strip().splitlines()[-1])
    return doc["result"], doc["rss_mib"]


def prepare_scale(scale: int, folder: Path) -> dict:
    """Generate the demo at `scale` and build its database, measuring time and peak memory of each.

    Each scale in a folder of its own (folder/x<scale>): a database keeps its published versions beside it, and
    two scales built side by side would be one history, the larger one's earlier period the smaller one. Until
    2026-12-07 that was so, and the app at ×100 compared itself with the demo data on every page that shows the
    change since an earlier period (docs/performance.md)."""
    folder = folder / f"x{scale}"
    folder.mkdir(parents=True, exist_ok=True)
    dataset, db = folder / f"demo-x{scale}", folder / f"caremap-x{scale}.duckdb"
    t0 = time.perf_counter()
    _, gen_rss = _rss_subprocess(f"from caremap.ingest import demo; from pathlib import Path\n"
                                 f"result = demo.generate(seed=2020, scale={scale}, out=Path({str(dataset)!r}))")
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    counts, build_rss = _rss_subprocess(f"from caremap.store import build; from pathlib import Path\n"
                                        f"result = build.build({str(db)!r}, dataset=Path({str(dataset)!r}))")
    build_s = time.perf_counter() - t0
    return {"dataset": dataset, "db": db, "service_points": counts["service_point"],
            "generate_seconds": gen_s, "generate_peak_rss_mib": gen_rss,
            "build_seconds": build_s, "build_peak_rss_mib": build_rss}


def query_times(db: Path, repeat: int) -> dict:
    """Median time of every named query at city and at district scope."""
    import duckdb

    from caremap.store import db as dbmod

    con = duckdb.connect(str(db), read_only=True)
    pair = dbmod.pair(db, db)  # the comparison queries read two attached versions: here the version with itself
    out = {}
    try:
        for name in dbmod.query_names():
            on = pair if dbmod.is_pair_query(name) else con
            _, wanted = dbmod.load_sql(name)
            params = {k: SAMPLE_PARAMS.get(k) for k in wanted} | {
                k: v for k, v in QUERY_PARAMS.get(name, {}).items() if k in wanted}
            if any(k not in SAMPLE_PARAMS for k in wanted):
                out[name] = None  # a parameter the benchmark has no sample for
                continue
            out[name] = median_time(lambda n=name, p=params, c=on: dbmod.run(c, n, **p), repeat)
            if "district" in wanted:
                p2 = {**params, "district": DISTRICT}
                out[f"{name}@district"] = median_time(lambda n=name, p=p2, c=on: dbmod.run(c, n, **p), repeat)
    finally:
        pair.close()
        con.close()
    return out


def directory_search_times(db: Path, repeat: int) -> dict:
    """Median time of the directory's first page (directory_search, city-wide, no filter) for each SEARCH_TEXTS text,
    with its total: {text: {"seconds": s, "total": n}}."""
    import duckdb

    from caremap.store import db as dbmod

    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for text in SEARCH_TEXTS:
            params = {**{k: None for k in ("district", "street", "category", "system")}, "search": text,
                      "page_size": 20, "page_start": 0}
            rows = dbmod.run(con, "directory_search", **params)
            seconds = median_time(lambda p=params: dbmod.run(con, "directory_search", **p), repeat)
            out[text] = {"seconds": seconds, "total": int(rows["total"].iloc[0]) if len(rows) else 0}
    finally:
        con.close()
    return out


def pandas_baseline(dataset: Path, db: Path, repeat: int) -> dict:
    """The same aggregations as a typical Streamlit app does them: pandas over DataFrames loaded from CSV.

    Loading is done once (as st.cache_data would); each interaction then aggregates in pandas.
    Returns {aggregation: (pandas_seconds, duckdb_seconds)}.
    """
    import duckdb
    import pandas as pd

    from caremap.common.paths import REFERENCE
    from caremap.store import db as dbmod

    points = pd.read_csv(dataset / "service_points.csv", dtype=str)
    workers = pd.read_csv(dataset / "workers.csv", dtype={"training_hours": "Int64"}, keep_default_na=False)
    sites = pd.read_csv(dataset / "sw_sites.csv", dtype=str)
    projects = pd.read_csv(dataset / "sw_projects.csv", dtype={"district_code": str})
    months = pd.read_csv(dataset / "sw_service_month.csv")
    categories = pd.read_csv(REFERENCE / "service_categories.csv")

    def headline(district):
        p = points if district is None else points[points["district_code"] == district]
        w = workers if district is None else workers[workers["district_code"] == district]
        s = sites if district is None else sites[sites["district_code"] == district]
        proj = projects if district is None else projects[projects["id"].isin(s["project_id"])]
        return {"service_points": len(p),
                "supervisors_in_post": int(((w["role"] == "儿童督导员") & (w["status"] == "在岗")).sum()),
                "directors_in_post": int(((w["role"] == "儿童主任") & (w["status"] == "在岗")).sum()),
                "sw_orgs": proj["org_id"].nunique(), "social_workers": int(proj["social_workers"].sum()),
                "sw_projects": len(proj), "sw_sites": len(s),
                "person_times": int(months.loc[months["project_id"].isin(proj["id"]), "person_times"].sum())}

    def by_system(district):
        p = points if district is None else points[points["district_code"] == district]
        m = p.merge(categories, left_on="category", right_on="code")
        return m.groupby(["system", "level"]).size().reset_index(name="points")

    con = duckdb.connect(str(db), read_only=True)
    out = {}
    try:
        for label, fn, qname in (("headline", headline, "metric_values"),
                                 ("points_by_system", by_system, "points_by_system")):
            for district in (None, DISTRICT):
                key = label if district is None else f"{label}@district"
                pd_s = median_time(lambda f=fn, d=district: f(d), repeat)
                db_s = median_time(lambda q=qname, d=district: dbmod.run(con, q, district=d, street=None), repeat)
                out[key] = {"pandas_seconds": pd_s, "duckdb_seconds": db_s, "speedup": pd_s / db_s}
    finally:
        con.close()
    return out


def map_payload_bytes(db: Path) -> dict:
    """Size of the deck JSON the map page sends to the browser, at city and district scope."""
    from streamlit.testing.v1 import AppTest

    page = ROOT / "pages" / "map.py"
    if not page.exists():
        return {}
    os.environ["CAREMAP_DB"] = str(db)
    out = {}
    for label, district in (("city", None), ("district", DISTRICT)):
        at = AppTest.from_file(str(page), default_timeout=300)
        if district:
            at.query_params["district"] = district
        at.run()
        specs = [e.proto.json for e in at.get("deck_gl_json_chart")]
        out[label] = sum(len(s.encode("utf-8")) for s in specs)
    return out


# ---------------------------------------------------------------- cold start
def cold_start_seconds(folder: Path) -> float | None:
    """From `streamlit run` with no database file to the overview's first figure, in a browser already open.

    Includes the database build that the first page run triggers, the server's start and the page's load; not
    the browser's own start (a user's browser is running before they open the app). None when Playwright or
    Chromium is not available (they are test tools, installed by scripts/install-dev.sh).
    """
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    browser_path = chromium.executable()
    if browser_path is None:
        return None
    db = folder / "cold.duckdb"
    port = bench_browser.free_port()
    env = {**os.environ, "CAREMAP_DB": str(db)}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=browser_path, args=chromium.ARGS)
        page = browser.new_page()
        t0 = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.port",
                                 str(port), "--server.headless", "true"], cwd=ROOT, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = t0 + 120
            while time.perf_counter() < deadline:
                try:
                    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                        if r.status == 200:
                            break
                except OSError:
                    time.sleep(0.05)
            else:
                return None
            page.goto(f"http://127.0.0.1:{port}/", timeout=120_000)
            page.get_by_text("儿童服务点").first.wait_for(timeout=120_000)
            return time.perf_counter() - t0
        finally:
            browser.close()
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def concurrent_sessions(db: Path, sessions: int) -> dict | None:
    """p50/p95 interaction time of `sessions` browser sessions at once (3 rounds each), while the
    database is republished between the first and the last round (caremap.cli.bench_sessions)."""
    if sessions <= 0 or chromium.executable() is None:
        return None
    from caremap.cli import bench_sessions
    from caremap.store import build

    with bench_browser.app_server("dashboard.py", db) as url:
        result = bench_sessions.run_sessions(url, sessions=sessions, rounds=3, midway=lambda: build.build(db))
        return result.summary()


# ---------------------------------------------------------------- run
BROWSER_AGAIN_AT = 100   # the browser section again at this scale: no interaction should take 1.5× its demo time


def against_demo(again: dict, demo: dict) -> dict:
    """The browser section at a larger scale, each figure with `vs_demo` (its seconds over the demo scale's) and
    `ratio_vs_demo` (its ratio to the trivial floor over the demo's: the machine's drift between the two halves of
    the run taken out, as every other browser figure takes it out)."""
    for name, v in again.items():
        d = demo.get(name, {})
        v["vs_demo"] = v["seconds"] / d["seconds"] if d.get("seconds") else None
        v["ratio_vs_demo"] = v["ratio"] / d["ratio"] if v.get("ratio") and d.get("ratio") else None
    return again


def run_bench(max_scale: int = 1000, repeat: int = 5, pages: bool = True, cold_start: bool = True,
              sessions: int = 20, browser: bool = True, load_sessions: int = 50) -> dict:
    folder = Path(tempfile.mkdtemp(prefix="caremap-bench-"))
    result: dict = {"machine": {"cpus": os.cpu_count(), "python": sys.version.split()[0]},
                    "date": time.strftime("%Y-%m-%d"), "repeat": repeat, "scales": {}}
    try:
        for scale in scales_up_to(max_scale):
            prep = prepare_scale(scale, folder)
            entry = {k: v for k, v in prep.items() if k not in ("dataset", "db")}
            entry["query_seconds"] = query_times(prep["db"], repeat)
            timed = [v for v in entry["query_seconds"].values() if v is not None]
            entry["query_seconds_max"] = max(timed)
            entry["query_seconds_median"] = statistics.median(timed)
            interactions = {k: v for k, v in entry["query_seconds"].items()
                            if v is not None and not k.startswith(IMPORT_PREFIX)}
            entry["interaction_query_seconds_max"] = max(interactions.values())
            entry["interaction_queries_over_150ms"] = sorted(k for k, v in interactions.items() if v >= 0.150)
            entry["directory_search_seconds"] = directory_search_times(prep["db"], repeat)
            entry["pandas_baseline"] = pandas_baseline(prep["dataset"], prep["db"], repeat)
            entry["map_payload_bytes"] = map_payload_bytes(prep["db"])
            geo = bench_geo.measure(prep["db"], folder / f"geo-x{scale}", repeat)
            live = geo.pop("live")
            geo["map_payload_bytes"] = map_payload_bytes(live)   # the streets and communities drawn as areas
            entry["geography"] = geo
            shutil.rmtree(live.parent, ignore_errors=True)
            if scale <= COMPARE_MAX_SCALE:   # eight periods: seven copies of the scale's database
                entry["compare"] = bench_compare.measure(prep["db"], folder / f"periods-x{scale}", repeat)
                shutil.rmtree(folder / f"periods-x{scale}", ignore_errors=True)
            result["scales"][str(scale)] = entry
            if scale == 1 and pages:
                result.update(page_times(prep["db"], repeat))
            if scale == 1:
                result["concurrent_sessions"] = concurrent_sessions(prep["db"], sessions)
                if load_sessions > 0:
                    try:
                        result["protocol_load"] = bench_load.measure(
                            prep["db"], folder / "load", load_sessions,
                            *((2.0, 0.5) if load_sessions < 10 else ()))   # a tiny run (the test): short pauses
                    except RuntimeError as exc:   # no nginx on this machine: said, not hidden
                        result["protocol_load"] = {"error": str(exc)}
                if browser:
                    result["browser"] = bench_browser.measure(prep["db"], repeat)
            if scale == BROWSER_AGAIN_AT and browser and result.get("browser"):   # the same clicks on 100× the data
                entry["browser"] = against_demo(bench_browser.measure(prep["db"], repeat), result["browser"])
            shutil.rmtree(prep["dataset"], ignore_errors=True)
        if cold_start:
            result["cold_start_seconds"] = cold_start_seconds(folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result


def _print_table(r: dict) -> None:
    print(f"CareMap bench · {r['date']} · {r['machine']['cpus']} CPUs · Python {r['machine']['python']}")
    if "page_seconds" in r:
        print("\nPage script time (AppTest, median):")
        for name, sec in r["page_seconds"].items():
            ratio = r["page_ratio_to_trivial"].get(name)
            print(f"  {name:<14} {sec * 1000:8.1f} ms" + (f"   {ratio:5.2f}× trivial" if ratio else ""))
    for scale, e in r["scales"].items():
        print(f"\nScale ×{scale}: {e['service_points']:,} service points")
        print(f"  generate {e['generate_seconds']:.1f} s ({e['generate_peak_rss_mib']:.0f} MiB), "
              f"build {e['build_seconds']:.1f} s ({e['build_peak_rss_mib']:.0f} MiB peak RSS)")
        print(f"  queries: median {e['query_seconds_median'] * 1000:.1f} ms, "
              f"max {e['query_seconds_max'] * 1000:.1f} ms; interactions max "
              f"{e['interaction_query_seconds_max'] * 1000:.1f} ms, over 150 ms: "
              f"{', '.join(e['interaction_queries_over_150ms']) or 'none'}")
        slow = sorted(((v, k) for k, v in e["query_seconds"].items() if v), reverse=True)[:5]
        for v, k in slow:
            print(f"    {k:<40} {v * 1000:8.1f} ms")
        if d := e.get("directory_search_seconds"):
            print("  directory search, city-wide: " + ", ".join(
                f"{t!r} {v['seconds'] * 1000:.0f} ms ({v['total']:,})" for t, v in d.items()))
        for k, b in e["pandas_baseline"].items():
            print(f"  pandas {k:<28} {b['pandas_seconds'] * 1000:8.1f} ms vs DuckDB "
                  f"{b['duckdb_seconds'] * 1000:7.1f} ms  ({b['speedup']:.1f}×)")
        if e["map_payload_bytes"]:
            print("  map payload: " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in e["map_payload_bytes"].items()))
        if g := e.get("geography"):
            print(f"  geography: {g['street_units']} street boundaries checked {g['street_check_seconds']:.1f} s + "
                  f"published {g['street_publish_seconds']:.1f} s; {g['community_units']} community boundaries "
                  f"{g['community_check_seconds']:.1f} s + {g['community_publish_seconds']:.1f} s; point-in-polygon "
                  f"of {g['points_placed']:,} points {g['point_in_polygon_seconds']:.2f} s; 2SFCA "
                  f"{g['access_2sfca_seconds']:.2f} s; map payload with "
                  "boundaries " + ", ".join(f"{k} {v / 1e6:.2f} MB" for k, v in g["map_payload_bytes"].items()))
        if c := e.get("compare"):
            print(f"  periods: {c['periods']} (7 earlier published in {c['history_publish_seconds']:.1f} s); one "
                  f"comparison city {c['oldest.city_seconds'] * 1000:.0f}/{c['previous.city_seconds'] * 1000:.0f} ms, "
                  f"district {c['oldest.district_seconds'] * 1000:.0f}/{c['previous.district_seconds'] * 1000:.0f} ms "
                  f"(with the oldest / the previous period); trend and progress over all periods "
                  f"{c['trend_and_progress_seconds'] * 1000:.0f} ms")
    if r.get("concurrent_sessions"):
        c = r["concurrent_sessions"]
        print(f"\n{c['sessions']} browser sessions × 3 interactions, a new version published midway: "
              f"p50 {c['p50_seconds']:.1f} s, p95 {c['p95_seconds']:.1f} s, errors {c['errors']}, "
              f"versions seen {len(c['versions_seen'])}")
    if r.get("protocol_load", {}).get("error"):
        print(f"\nProtocol-level load: not measured: {r['protocol_load']['error']}")
    elif r.get("protocol_load"):
        load = r["protocol_load"]
        print(f"\nProtocol-level load ({load['replicas_1']['sessions']} sessions × 4 interactions through nginx, a "
              "version published midway):")
        for key in ("replicas_1", "replicas_2"):
            v = load[key]
            print(f"  {v['replicas']} replica(s): as used (pauses ~{v['think_seconds']:g} s) p50 "
                  f"{v['p50_seconds']:.2f} s, p95 {v['p95_seconds']:.2f} s; flat out "
                  f"{v['interactions_per_s']:.1f} interactions/s (p95 {v['saturated']['p95_seconds']:.1f} s); "
                  f"errors {v['errors']}")
        print(f"  throughput with 2 replicas: {load['throughput_2_over_1']:.2f}× one")
    if r.get("browser"):
        b = r["browser"]
        print(f"\nBrowser, click to settled (median; floors: trivial page open {b['trivial_open']['seconds']:.2f} s, "
              f"trivial click {b['trivial_click']['seconds']:.2f} s):")
        for name, v in b.items():
            if v["ratio"] is not None:
                print(f"  {name:<22} {v['seconds']:6.2f} s  {v['ratio']:5.2f}× its floor   (to the last DOM change of "
                      f"any kind: {v['all_dom']['seconds']:.2f} s, {v['all_dom']['ratio']:.2f}×)")
        again = r["scales"].get(str(BROWSER_AGAIN_AT), {}).get("browser")
        if again:
            print(f"  at ×{BROWSER_AGAIN_AT}, as a multiple of the demo scale's time: " + ", ".join(
                f"{name} {v['vs_demo']:.2f}×" for name, v in again.items() if v.get("vs_demo") is not None))
            print("  the same, each as a multiple of its own half's trivial floor: " + ", ".join(
                f"{name} {v['ratio_vs_demo']:.2f}×" for name, v in again.items() if v.get("ratio_vs_demo") is not None))
        if "payload_bytes" in b.get("open_public", {}):
            print(f"  the citizens' view on a 375×667 phone sends {b['open_public']['payload_bytes'] / 1e3:.0f} kB")
    if r.get("cold_start_seconds") is not None:
        print(f"\nCold start (no database → app answering, build included): {r['cold_start_seconds']:.1f} s")


def run(args) -> int:
    if args.scale < 1:
        print("错误 / error: --scale 必须不小于 1", file=sys.stderr)
        return 2
    r = run_bench(args.scale, args.repeat, pages=not args.skip_pages, cold_start=not args.skip_cold_start,
                  sessions=args.sessions, browser=not args.skip_browser, load_sessions=args.load_sessions)
    if args.json:
        print(json.dumps(r, ensure_ascii=False, default=float))
    else:
        _print_table(r)
    return 0
