"""Every named query in queries/ runs on the demo database, at city and district scope."""

from pathlib import Path

import pytest

from caremap import db

QUERIES = sorted(p.stem for p in (Path(__file__).resolve().parent.parent / "queries").glob("*.sql"))
# Extra parameters some queries take, with a sensible value for the demo data.
SAMPLE = {"district": None, "street": None, "lang": "zh", "category": "children_home", "k": 3,
          "max_m": 1000.0, "limit": 20, "offset": 0, "search": "", "org_id": "ORG01", "level": "street",
          "categories": ["children_home"], "role": "儿童主任",
          "policy_level": "national", "topic": "minor_protection", "year": 2020, "max_rows": 3,
          "system": "民政", "pinyin_ids": ("SP0000001",), "page_size": 20, "page_start": 0,
          "cell_m": 500.0}


@pytest.mark.parametrize("name", QUERIES)
def test_query_runs_with_one_header_comment(name, con):
    text, params = db.load_sql(name)
    assert text.startswith("-- "), f"queries/{name}.sql must open with a one-line header comment"
    missing = params - SAMPLE.keys()
    assert not missing, f"add a sample value for {missing} to SAMPLE"
    db.run(con, name, **{k: SAMPLE[k] for k in params})
    if "district" in params:
        db.run(con, name, **{**{k: SAMPLE[k] for k in params}, "district": "440305"})


def test_query_parameters_are_never_formatted_into_sql(con):
    hostile = "440305' or '1'='1"
    assert db.run(con, "streets", district=hostile).empty
    with pytest.raises(ValueError):
        db.load_sql("../etc/passwd")


def test_query_result_is_cached_per_version(demo_db):
    a = db.query("overview_headline", district=None, street=None)
    a.loc[0, "service_points"] = -1  # a caller mutating its copy must not poison the cache
    b = db.query("overview_headline", district=None, street=None)
    assert b.loc[0, "service_points"] > 1500
