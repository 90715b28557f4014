"""Every named query in queries/ runs on the demo database, at city and district scope."""

from pathlib import Path

import pytest

from caremap.cli.bench import SAMPLE_PARAMS
from caremap.store import db

QUERIES = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "queries").glob("*.sql"))
# Extra parameters some queries take, with a sensible value for the demo data.
SAMPLE = SAMPLE_PARAMS  # one place: the benchmark times every query with the same values


@pytest.mark.parametrize("name", QUERIES)
def test_query_runs_with_one_header_comment(name, con, demo_db):
    text, params = db.load_sql(name)
    assert text.startswith("-- "), f"queries/{name}.sql must open with a one-line header comment"
    missing = params - SAMPLE.keys()
    assert not missing, f"add a sample value for {missing} to SAMPLE"
    on = con
    if db.is_pair_query(name):  # reads two attached versions: the demo version compared with itself
        on = db.pair(demo_db, demo_db)
    try:
        db.run(on, name, **{k: SAMPLE[k] for k in params})
        if "district" in params:
            db.run(on, name, **{**{k: SAMPLE[k] for k in params}, "district": "440305"})
    finally:
        if on is not con:
            on.close()


def test_query_parameters_are_never_formatted_into_sql(con):
    hostile = "440305' or '1'='1"
    assert db.run(con, "streets", district=hostile).empty
    with pytest.raises(ValueError):
        db.load_sql("../etc/passwd")


def test_query_result_is_cached_per_parameters_and_version(demo_db, tmp_path, monkeypatch):
    """A query runs once per (parameters, published version); callers get copies they may change."""
    from caremap.store import build

    runs = []
    real = db.run

    def counting(con, name, **params):
        if name == "metric_values":
            runs.append(params)
        return real(con, name, **params)

    monkeypatch.setattr(db, "run", counting)
    db._cached.cache_clear()
    a = db.query("metric_values", district=None, street=None)
    a.loc[0, "service_points"] = -1  # a caller mutating its copy must not poison the cache
    b = db.query("metric_values", district=None, street=None)
    assert b.loc[0, "service_points"] > 1500
    assert len(runs) == 1, "the second call is served from the cache"
    db.query("metric_values", district="440305", street=None)
    assert len(runs) == 2, "other parameters run the query"
    db.query("metric_values", district=None, street=None)
    assert len(runs) == 2
    other = tmp_path / "other.duckdb"  # a newly published version (another file) is never served old results
    build.build(other)
    monkeypatch.setenv("CAREMAP_DB", str(other))
    db.query("metric_values", district=None, street=None)
    assert len(runs) == 3
