"""Twenty users at once in real browsers while an import publishes a new data version.

No session may error, and every page a session sees must come from one version: the data version in
the sidebar and the headline figure must belong together (never a mix of old and new).
"""

import shutil

import duckdb
import pytest

from browser import streamlit_app
from caremap.cli import bench_sessions
from caremap.common.paths import DEMO
from caremap.ingest import demo
from caremap.store import build

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _points_by_scope(db) -> dict:
    con = duckdb.connect(str(db), read_only=True)
    try:
        version = con.execute("select value from meta where key = 'data_version'").fetchone()[0]
        rows = dict(con.execute("select district_code, count(*) from service_point group by 1").fetchall())
    finally:
        con.close()
    expected = {(version, None): f"{sum(rows.values()):,}"}
    expected.update({(version, d): f"{n:,}" for d, n in rows.items()})
    return expected


def test_twenty_sessions_see_consistent_versions_while_a_new_version_is_published(tmp_path):
    db = tmp_path / "live.duckdb"
    build.build(db)
    bigger = tmp_path / "demo-x2"
    demo.generate(seed=2020, scale=2, out=bigger)
    shutil.copy(DEMO / "MANIFEST.json", bigger / "MANIFEST.json")  # keep the 示例数据 label
    expected = _points_by_scope(db)

    def publish():
        build.build(db, dataset=bigger)  # writes a temporary file, then renames it over the live one

    with streamlit_app(db=db, name="concurrency") as url:
        result = bench_sessions.run_sessions(url, sessions=20, rounds=3, midway=publish)
    expected.update(_points_by_scope(db))

    summary = result.summary()
    print(summary)
    assert not result.errors, result.errors[:5]
    assert summary["interactions"] == 60
    assert len(summary["versions_seen"]) == 2, summary  # both the old and the new version were served
    first, last = ({o.version for o in result.observations if o.round == n} for n in (0, 2))
    assert len(first) == 1 and len(last) == 1 and first != last
    mixed = [o for o in result.observations if expected.get((o.version, o.district)) != o.service_points]
    assert not mixed, mixed[:5]
