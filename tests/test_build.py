"""Database build: atomic, idempotent, and clear about malformed standards."""

import shutil

import duckdb
import pytest

from caremap.common.paths import REFERENCE
from caremap.store import build, standards


def _counts(path):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return {t: con.execute(f"select count(*) from {t}").fetchone()[0]
                for t in ("district", "street", "community", "service_point", "worker", "coverage_standard")}
    finally:
        con.close()


def test_build_is_idempotent(tmp_path):
    first = build.build(tmp_path / "a.duckdb")
    second = build.build(tmp_path / "a.duckdb")
    assert first == second
    assert _counts(tmp_path / "a.duckdb")["street"] == 74


def test_failed_build_leaves_the_old_database_intact(tmp_path, monkeypatch):
    db = tmp_path / "c.duckdb"
    build.build(db)
    before = db.read_bytes()

    original = build._load_csv

    def fail_midway(con, table, path):
        if table == "sw_project":
            raise duckdb.ConversionException("simulated failure while loading sw_project")
        original(con, table, path)

    monkeypatch.setattr(build, "_load_csv", fail_midway)
    with pytest.raises(build.BuildError, match="原数据库未改动"):
        build.build(db)
    assert db.read_bytes() == before
    assert _counts(db)["service_point"] > 1500
    assert not [p for p in tmp_path.rglob("*") if "building" in p.name or ".tmp" in p.name]  # nothing left behind
    assert len(list((tmp_path / "versions").glob("*.duckdb"))) == 1


def test_first_build_that_fails_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "check_integrity", lambda con: (_ for _ in ()).throw(build.BuildError("bad")))
    with pytest.raises(build.BuildError):
        build.build(tmp_path / "new.duckdb")
    assert list(tmp_path.iterdir()) == []


def test_each_build_publishes_a_new_version_file_behind_the_live_link(tmp_path):
    db = tmp_path / "v.duckdb"
    for _ in range(3):
        build.build(db)
    assert db.is_symlink()
    kept = sorted(p.name for p in (tmp_path / "versions").glob("*.duckdb"))
    assert len(kept) == 3 and db.resolve().name == kept[-1]


def _reference_copy(tmp_path, toml_text):
    ref = tmp_path / "reference"
    shutil.copytree(REFERENCE, ref)
    (ref / "coverage_standards.toml").write_text(toml_text, encoding="utf-8")
    return ref


def test_malformed_standards_file_names_the_line(tmp_path):
    text = (REFERENCE / "coverage_standards.toml").read_text(encoding="utf-8")
    broken = text.replace('level = "street"\nkind = "category"', 'level = "street"\nkind = category', 1)
    line = broken.splitlines().index("kind = category") + 1
    with pytest.raises(standards.StandardsError, match=f"line {line}"):
        build.build(tmp_path / "x.duckdb", reference=_reference_copy(tmp_path, broken))
    assert not (tmp_path / "x.duckdb").exists()


def test_standard_with_unknown_category_names_its_line(tmp_path):
    text = (REFERENCE / "coverage_standards.toml").read_text(encoding="utf-8")
    broken = text.replace('category = "workstation"', 'category = "no_such_thing"')
    line = [i for i, s in enumerate(broken.splitlines(), 1) if s.strip() == 'id = "street_workstation"'][0]
    with pytest.raises(standards.StandardsError, match=f"第 {line} 行.*no_such_thing"):
        build.build(tmp_path / "y.duckdb", reference=_reference_copy(tmp_path, broken))


def test_editing_the_standards_changes_the_database(tmp_path):
    text = (REFERENCE / "coverage_standards.toml").read_text(encoding="utf-8")
    edited = text.replace("max_m = 1000", "max_m = 500")
    db = tmp_path / "z.duckdb"
    build.build(db, reference=_reference_copy(tmp_path, edited))
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute("select max_m from coverage_standard where kind = 'distance'").fetchone()[0] == 500
