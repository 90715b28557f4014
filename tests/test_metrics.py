"""The metrics layer: every figure defined once, its value equal to an independent count, and the same value
wherever it is shown (pages, the deck, the command line)."""

from __future__ import annotations

import json

import duckdb
import pytest

from caremap import cli
from caremap.report import briefing, metrics
from caremap.store import db
from conftest import app_test
from factories import S1, S3, D, make_fixture

SCOPES = [(None, None), ("440306", None), ("440305", "440305006")]
IN_SCOPE = "($district is null or district_code = $district) and ($street is null or street_code = $street)"
# Each figure counted again here, straight from the tables, without the named queries or the schema's macros.
INDEPENDENT = {
    "service_points": f"select count(*) from service_point where {IN_SCOPE}",
    "residents": "select case when $street is null and count(*) = count(population_2020) then sum(population_2020) "
                 "end from district where ($district is null or code = $district)",
    "supervisors_in_post": f"select count(*) from worker where role = '儿童督导员' and status = '在岗' and {IN_SCOPE}",
    "supervisor_posts_vacant": f"select count(*) from worker where role = '儿童督导员' and status = '空缺' "
                               f"and {IN_SCOPE}",
    "streets": "select count(*) from street where ($district is null or district_code = $district) "
               "and ($street is null or code = $street)",
    "streets_supervisor_no_record": "select count(*) from street as s where ($district is null or s.district_code = "
                                    "$district) and ($street is null or s.code = $street) and not exists (select 1 "
                                    "from worker as w where w.role = '儿童督导员' and w.street_code = s.code)",
    "directors_in_post": f"select count(*) from worker where role = '儿童主任' and status = '在岗' and {IN_SCOPE}",
    "director_posts_vacant": f"select count(*) from worker where role = '儿童主任' and status = '空缺' and {IN_SCOPE}",
    "community_units": f"select count(*) from community where {IN_SCOPE}",
    "units_director_in_post": f"select count(*) from community as c where {IN_SCOPE} and exists (select 1 from worker "
                              "as w where w.role = '儿童主任' and w.status = '在岗' and w.community_code = c.code)",
    "units_director_vacant": f"select count(*) from community as c where {IN_SCOPE} and exists (select 1 from worker "
                             "as w where w.role = '儿童主任' and w.status = '空缺' and w.community_code = c.code) and "
                             "not exists (select 1 from worker as w where w.role = '儿童主任' and w.status = '在岗' "
                             "and w.community_code = c.code)",
    "units_director_no_record": f"select count(*) from community as c where {IN_SCOPE} and not exists (select 1 "
                                "from worker as w where w.role = '儿童主任' and w.community_code = c.code)",
    # a project counts in a district or street when one of its sites lies in it; the city counts every project
    "sw_projects": f"select count(*) from sw_project where ($district is null and $street is null) or id in "
                   f"(select project_id from sw_site where {IN_SCOPE})",
    "sw_orgs": f"select count(distinct org_id) from sw_project where ($district is null and $street is null) or id in "
               f"(select project_id from sw_site where {IN_SCOPE})",
    "social_workers": f"select coalesce(sum(social_workers), 0) from sw_project where ($district is null and "
                      f"$street is null) or id in (select project_id from sw_site where {IN_SCOPE})",
    "sw_sites": f"select count(*) from sw_site where {IN_SCOPE}",
    "units_located_bureau": f"select count(*) from community as c where {IN_SCOPE} and exists (select 1 from "
                            "unit_geometry as g where g.level = 'community' and g.unit_code = c.code)",
    "streets_located_bureau": "select count(*) from street as s where ($district is null or district_code = $district) "
                              "and ($street is null or code = $street) and exists (select 1 from unit_geometry as g "
                              "where g.level = 'street' and g.unit_code = s.code)",
    "homes": f"select count(*) from service_point where category = 'children_home' and {IN_SCOPE}",
    "person_times": f"select coalesce(sum(person_times), 0) from sw_service_month where ($district is null and "
                    f"$street is null) or project_id in (select project_id from sw_site where {IN_SCOPE})",
    "online_person_times": f"select coalesce(sum(online_person_times), 0) from sw_service_month where ($district is "
                           f"null and $street is null) or project_id in (select project_id from sw_site where "
                           f"{IN_SCOPE})",
}


def _children(con, district, street):
    """The children of a scope counted again: per unit its 0-17 row, else its four bands; then the scope's own
    figure, else all its streets', else all its community units' (every unit must have one)."""
    totals: dict[tuple[str, str], int] = {}
    bands: dict[tuple[str, str], dict[str, int]] = {}
    for level, code, band, n in con.execute("select level, unit_code, age_band, children from population").fetchall():
        bands.setdefault((level, code), {})[band] = n
    for key, b in bands.items():
        if "0-17" in b:
            totals[key] = b["0-17"]
        elif {"0-2", "3-5", "6-11", "12-17"} <= set(b):
            totals[key] = sum(b.values())
    levels = [("district", "select code from district where $street is null and ($district is null or code = "
                           "$district)"),
              ("street", "select code from street where ($district is null or district_code = $district) and "
                         "($street is null or code = $street)"),
              ("community", f"select code from community where {IN_SCOPE}")]
    for level, sql in levels:
        codes = [r[0] for r in con.execute(sql, {"district": district, "street": street}).fetchall()]
        if codes and all((level, c) in totals for c in codes):
            return sum(totals[(level, c)] for c in codes)
    return None


def _direct(con, metric_id, district, street):
    if metric_id == "homes":   # not a metric of its own: the numerator of homes_per_10k_children
        return con.execute(INDEPENDENT["homes"], {"district": district, "street": street}).fetchone()[0]
    m = metrics.get(metric_id)
    if metric_id == "children":
        return _children(con, district, street)
    if metric_id in ("points_per_10k_children", "homes_per_10k_children"):
        kids = _children(con, district, street)
        n = _direct(con, "service_points" if metric_id.startswith("points") else "homes", district, street)
        return None if kids is None else n * 10_000 / kids
    if metric_id == "points_per_10k_residents":
        points, people = (_direct(con, k, district, street) for k in ("service_points", "residents"))
        return None if people is None else points * 10_000 / people
    if m.standard_id or metric_id in ("gaps_total", "checks_share"):
        return _standard_direct(con, metric_id, district, street)
    return con.execute(INDEPENDENT[metric_id], {"district": district, "street": street}).fetchone()[0]


def _units(con, level, district, street):
    table = {"district": "district", "street": "street", "community": "community"}[level]
    own = {"district": "code", "street": "district_code", "community": "district_code"}[level]
    street_col = {"district": None, "street": "code", "community": "street_code"}[level]
    if level == "district" and street:
        return []
    where = [f"($district is null or {own} = $district)"]
    if street_col:
        where.append(f"($street is null or {street_col} = $street)")
    columns = "code, null, null" if level == "district" else "code, lon, lat"
    sql = f"select {columns} from {table} where {' and '.join(where)}"
    params = {"district": district, "street": street} if street_col else {"district": district}
    return con.execute(sql, params).fetchall()


def _meets(con, s, level, code, lon, lat) -> bool:
    column = {"district": "district_code", "street": "street_code", "community": "community_code"}[level]
    if s["kind"] == "category":
        return con.execute(f"select count(*) > 0 from service_point where category = $c and {column} = $u",
                           {"c": s["category"], "u": code}).fetchone()[0]
    if s["kind"] == "worker":
        return con.execute(f"select count(*) > 0 from worker where role = $r and status = '在岗' and {column} = $u",
                           {"r": s["role"], "u": code}).fetchone()[0]
    if lon is None:
        return False
    return con.execute("select count(*) > 0 from service_point where list_contains($cats, category) and lon is not "
                       "null and 2 * 6371008.8 * asin(sqrt(pow(sin(radians(lat - $lat) / 2), 2) + cos(radians($lat))"
                       " * cos(radians(lat)) * pow(sin(radians(lon - $lon) / 2), 2))) <= $m",
                       {"cats": list(s["categories"]), "lat": lat, "lon": lon, "m": s["max_m"]}).fetchone()[0]


def _standard_direct(con, metric_id, district, street):
    standards = con.execute("select * from coverage_standard").df().to_dict("records")
    counts = {}
    for s in standards:
        units = _units(con, s["level"], district, street)
        met = sum(_meets(con, s, s["level"], c, lon, lat) for c, lon, lat in units)
        counts[s["id"]] = (len(units), met)
    if metric_id == "gaps_total":
        return sum(u - m for u, m in counts.values())
    if metric_id == "checks_share":
        checks = sum(u for u, _ in counts.values())
        return sum(m for _, m in counts.values()) / checks if checks else None
    _, sid, part = metric_id.split(".")
    units, met = counts[sid]
    if units == 0:
        return None
    return {"units": units, "met": met, "gaps": units - met, "share": met / units}[part]


@pytest.fixture(scope="module")
def fixture_db(tmp_path_factory):
    return make_fixture(tmp_path_factory.mktemp("metrics"))


def _same(a, b):
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) < 1e-9


@pytest.mark.parametrize("district, street", [(None, None), (D, None), (D, S1), (D, S3)])
def test_every_metric_equals_an_independent_count_on_the_fixture(fixture_db, monkeypatch, district, street):
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    con = duckdb.connect(str(fixture_db), read_only=True)
    values = metrics.values(district, street)
    assert set(values) == set(metrics.registry())
    for metric_id in metrics.registry():
        assert _same(values[metric_id], _direct(con, metric_id, district, street)), metric_id
    con.close()


def test_the_fixture_answers_known_by_construction(fixture_db, monkeypatch):
    monkeypatch.setenv("CAREMAP_DB", str(fixture_db))
    v = metrics.values(D, None)
    # supervisors: 甲, 乙 in post, 丙 vacant; directors: A1, B1, C1 in post, A2 vacant, C2–C4 no record
    assert (v["supervisors_in_post"], v["supervisor_posts_vacant"], v["streets_supervisor_no_record"]) == (2, 1, 0)
    assert (v["units_director_in_post"], v["units_director_vacant"], v["units_director_no_record"]) == (3, 1, 3)
    assert v["standard.community_director.gaps"] == v["units_director_vacant"] + v["units_director_no_record"] == 4
    assert (v["standard.street_workstation.met"], v["standard.street_workstation.units"]) == (2, 3)
    assert v["standard.community_children_home.share"] == pytest.approx(2 / 7)
    assert v["residents"] == 100000 and v["points_per_10k_residents"] == pytest.approx(5 * 10_000 / 100000)
    assert metrics.values(D, S1)["residents"] is None  # no published population below a district


@pytest.mark.parametrize("district, street", SCOPES)
def test_every_metric_equals_an_independent_count_on_the_demo_data(con, district, street):
    values = metrics.values(district, street)
    for metric_id in metrics.registry():
        if (metrics.get(metric_id).standard_id or "").endswith("walking_access") or metric_id in (
                "gaps_total", "checks_share"):
            continue  # distance checks per unit in Python: covered on the fixture; too slow for 783 units here
        assert _same(values[metric_id], _direct(con, metric_id, district, street)), metric_id


def test_every_metric_is_defined_in_full():
    for metric_id, m in metrics.registry().items():
        for field in ("label", "definition", "unit"):
            zh, en = getattr(m, field)
            assert zh and en, (metric_id, field)
        assert metrics.source_text(metric_id, "zh") and metrics.source_text(metric_id, "en")
        assert "/" not in metrics.source_text(metric_id, "zh").replace("GCJ-02", ""), "a source is a name, not a path"
        assert m.query in db.query_names()
        for term in m.glossary:
            assert term in set(metrics.terms("zh")["key"]), (metric_id, term)


PAGE_SCOPES = [("pages/overview.py", None, None), ("pages/overview.py", "440306", None),
               ("pages/workforce.py", None, None), ("pages/workforce.py", "440306", None),
               ("pages/workforce.py", "440305", "440305006"), ("pages/social_work.py", None, None),
               ("pages/social_work.py", "440306", None), ("pages/coverage.py", "440306", None)]


@pytest.mark.parametrize("page, district, street", PAGE_SCOPES)
@pytest.mark.parametrize("language", ["zh", "en"])
def test_a_figure_shown_on_a_page_is_its_metric(page, district, street, language):
    """Every st.metric whose label is a metric's label shows that metric's value (a new page cannot slip)."""
    at = app_test(page, district=district, street=street, lang=language)
    assert not at.exception
    values = metrics.values(district, street)
    labels = {m.text("label", language): mid for mid, m in metrics.registry().items()}
    shown = {m.label: m.value for m in at.metric}
    matched = [label for label in shown if label in labels]
    assert matched or page.endswith("coverage.py"), f"{page} shows no figure of the metrics layer"
    for label in matched:
        mid = labels[label]
        assert shown[label] == metrics.fmt(mid, values[mid], language), (page, label)
    for m in at.metric:  # each says what it means: its definition in the help text
        if m.label in labels:
            assert metrics.get(labels[m.label]).text("definition", language) in m.proto.help, m.label


def test_the_coverage_page_totals_read_the_standard_metrics():
    at = app_test("pages/coverage.py", district="440306")
    values = metrics.values("440306", None)
    shown = {m.label: m.value for m in at.metric}
    for sid, label in zip(db.query("coverage_standards")["id"], db.query("coverage_standards")["label_zh"]):
        assert shown[label] == f"{values[f'standard.{sid}.met']}/{values[f'standard.{sid}.units']}"


def test_workers_show_three_states_the_same_on_coverage_and_workforce():
    """宝安区: the units that miss the director standard are the vacant ones plus those with no record."""
    from caremap.report import coverage

    values = metrics.values("440306", None)
    gaps = coverage.gap_list(coverage.compliance("440306"), "zh", ("community_director",))
    missing = gaps["缺少"].value_counts().to_dict()
    assert missing == {"无在册儿童主任记录": values["units_director_no_record"],
                       "儿童主任岗位空缺（有岗位记录）": values["units_director_vacant"]}
    assert sum(missing.values()) == values["standard.community_director.gaps"]


@pytest.mark.parametrize("district", [None, "440305"])
def test_the_deck_headline_and_takeaway_read_the_metrics(district):
    values = metrics.values(district, None)
    slide = briefing.headline_slide(district, None, "zh", "")
    for (label, shown, _), (metric_id, _) in zip(slide.metrics, briefing.HEADLINE):
        assert label == metrics.get(metric_id).text("label", "zh")
        assert shown == metrics.fmt(metric_id, values[metric_id], "zh")
    gaps = briefing.gaps_slide(district, None, "zh", "")
    assert f"{values['standard.street_workstation.gaps']} 个缺少" in gaps.takeaway
    assert f"{values['standard.community_children_home.gaps']} 个社区级单位没有儿童之家" in gaps.takeaway


def test_the_metrics_command_prints_every_figure_with_its_definition(capsys):
    assert cli.main(["metrics", "--district", "440306", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    values = metrics.values("440306", None)
    assert {r["id"]: r["value"] for r in out["metrics"]} == values
    assert all(r["definition"] and r["source"] and r["label"] for r in out["metrics"])
    assert cli.main(["metrics", "--street", "440305006", "--lang", "en"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("Whole city › Nanshan District (南山区) › ") and "Child directors in post" in text
    assert cli.main(["metrics", "--district", "999999"]) == 2
    assert "999999" in capsys.readouterr().err


def test_the_glossary_page_lists_every_figure_and_term():
    at = app_test("pages/glossary.py", district="440306")
    assert not at.exception
    table = at.dataframe[0].value
    assert len(table) == len(metrics.registry())
    text = "\n".join(m.value for m in at.markdown)
    for term in metrics.terms("zh")["term"]:
        assert term in text


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_map_s_district_tooltips_show_the_metrics(language):
    """Unfiltered, each district's tooltip shows the same points, rate, share met and gaps as every page."""
    from caremap.common.i18n import t
    from caremap.report import maps

    spec = maps.deck_spec(maps.build_map(db.query, maps.MapOptions(), maps.labels(lambda k: t(k, language))).deck)
    layer = next(la for la in spec["layers"] if maps.base_id(la["id"]) == "districts")
    labels = maps.labels(lambda k: t(k, language))
    for feature in layer["data"]:
        props = feature["properties"]
        shown = dict(props[f"tip_{i}"].split(labels["sep"], 1) for i in range(1, 5))
        values = metrics.values(props["code"], None)
        for map_metric, metric_id in maps.METRIC_IDS.items():
            assert shown[labels[map_metric]] == metrics.fmt(metric_id, values[metric_id], language), (
                props["code"], map_metric)


@pytest.mark.parametrize(("n", "zh", "en"), [
    (1_513, "1,513", "1,513"), (9_999, "9,999", "9,999"), (10_000, "1万", "10,000"), (12_345, "1.2万", "12,345"),
    (3_300_000, "330万", "3,300,000"), (99_994_999, "9,999.5万", "99,994,999"),
    (99_999_999, "1亿", "99,999,999"),   # 9,999.9999万 rounds to 10,000万: that is 1亿
    (330_000_000, "3.3亿", "330,000,000"), (123_456_789, "1.23亿", "123,456,789"), (None, "—", "—")])
def test_counts_are_written_with_wan_and_yi_in_chinese_and_separators_in_english(n, zh, en):
    from caremap.common.i18n import fmt_int

    assert (fmt_int(n, "zh"), fmt_int(n, "en")) == (zh, en)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_chart_takeaways_write_their_figures_as_the_pages_do(language):
    """A count in a chart's one-line takeaway (on the page, in the deck) is written like the same count on a metric
    tile, and the map's city rate is the city's metric, not a sum worked out again."""
    from caremap.common.i18n import fmt_int
    from caremap.report import charts

    values = metrics.values(None, None)
    points = metrics.fmt("service_points", values["service_points"], language)
    assert points == fmt_int(1513, language) == "1,513"
    by_system = charts.build("points_by_system", lang=language).takeaway
    assert (f"共有儿童服务点 {points} 个" if language == "zh" else f": {points} service points") in by_system
    streets = charts.build("points_by_street", "440306", None, language)
    assert fmt_int(streets.data.groupby(streets.data.columns[0]).sum(numeric_only=True).iloc[:, 0].max(),
                   language) in streets.takeaway
    rate = metrics.fmt("points_per_10k_residents", values["points_per_10k_residents"], language)
    city_map = charts.build("district_map", lang=language).takeaway
    assert (f"全市每万常住人口有儿童服务点 {rate} 个" if language == "zh" else f"City: {rate} points") in city_map
    assert f"（全市 {rate}）" in charts.build("district_map", "440305", None, "zh").takeaway
