"""Start-up: every outcome (first start, restored, rebuilt after damage, rebuilt for a new schema, refused) is
decided before anything is written and shows its own exact message, on the page and in the command line."""

from __future__ import annotations

import duckdb
import pytest

from caremap import cli
from caremap.common.i18n import t
from caremap.common.paths import TEMPLATES
from caremap.store import build, startup
from conftest import app_test


def _built_twice(tmp_path):
    db = tmp_path / "live.duckdb"
    build.build(db)
    build.build(db)  # two kept versions
    return db


def _old_schema(db, imported: bool):
    build.build(db)
    con = duckdb.connect(str(db.resolve()))
    con.execute("update meta set value = 'old' where key = 'schema_hash'")
    if imported:
        con.execute("insert into import_log (id, imported_at, kind, file_name, sha256, rows_accepted, rows_rejected,"
                    " mode, who, stored_path, data_version) values (1, now(), 'service_points', 'a.csv', 'x', 1, 0,"
                    " 'replace', 'test', '', 'v')")
    con.close()


def _page_messages(monkeypatch, db):
    monkeypatch.setenv("CAREMAP_DB", str(db))
    at = app_test("dashboard.py")
    assert not at.exception
    return at, [e.value for e in at.info], [e.value for e in at.warning if e.value != t("common.demo_badge", "zh")], \
        [e.value for e in at.error]


def _cli_message(capsys, db) -> tuple[int, str]:
    code = cli.main(["import", str(TEMPLATES / "service_points.csv"), "--kind", "service_points", "--dry-run",
                     "--db", str(db)])
    return code, capsys.readouterr().err


def test_the_outcome_is_decided_before_anything_is_written(tmp_path):
    assert startup.decide(tmp_path / "caremap.duckdb") is startup.Outcome.FIRST_START
    assert list(tmp_path.iterdir()) == []


def test_first_start_says_first_start_on_the_page(tmp_path, monkeypatch):
    db = tmp_path / "fresh" / "caremap.duckdb"
    at, infos, warnings, errors = _page_messages(monkeypatch, db)
    assert infos == [t("common.startup_first_start", "zh")] and warnings == [] and errors == []
    assert "损坏" not in infos[0] and "示例数据" in infos[0]
    assert at.metric  # and the figures follow
    at.run()  # the next run has nothing to say
    assert not at.info


def test_first_start_in_the_command_line(tmp_path, capsys):
    code, err = _cli_message(capsys, tmp_path / "caremap.duckdb")
    assert code == 0 and t("common.startup_first_start", "zh") in err


def test_a_ready_database_says_nothing(tmp_path, capsys):
    db = tmp_path / "caremap.duckdb"
    build.build(db)
    assert startup.ensure_built(db) == startup.Startup(startup.Outcome.READY)
    assert startup.ensure_built(db).message() is None
    code, err = _cli_message(capsys, db)
    assert code == 0 and "数据库" not in err


def test_deleted_live_link_is_restored_from_the_newest_kept_version(tmp_path, monkeypatch, capsys):
    db = _built_twice(tmp_path)
    newest = db.resolve()
    db.unlink()  # the live link is gone
    assert startup.decide(db) is startup.Outcome.RESTORED
    at, infos, warnings, errors = _page_messages(monkeypatch, db)
    assert warnings == [t("common.startup_restored", "zh", detail=newest.name)] and not infos and not errors
    assert db.resolve() == newest
    db.unlink()
    code, err = _cli_message(capsys, db)
    assert code == 0 and t("common.startup_restored", "zh", detail=newest.name) in err


def test_truncated_database_is_never_served_and_the_older_version_comes_back(tmp_path, monkeypatch):
    db = _built_twice(tmp_path)
    newest = db.resolve()
    with open(newest, "r+b") as fh:  # truncate the live version file to half
        fh.truncate(newest.stat().st_size // 2)
    started = startup.ensure_built(db)
    assert started.outcome is startup.Outcome.RESTORED and db.resolve() != newest  # the older intact version
    assert started.detail == db.resolve().name
    monkeypatch.setenv("CAREMAP_DB", str(db))
    at = app_test("dashboard.py")
    assert not at.exception and at.metric


def test_damaged_database_without_kept_versions_is_rebuilt_and_says_so(tmp_path, monkeypatch, capsys):
    db = tmp_path / "plain.duckdb"
    db.write_bytes(b"this is not a database" * 100)
    at, infos, warnings, errors = _page_messages(monkeypatch, db)
    assert warnings == [t("common.startup_rebuilt_damaged", "zh")] and not infos and not errors
    assert {m.label: m.value for m in at.metric}["在岗儿童督导员"] == "74"
    other = tmp_path / "other" / "plain.duckdb"
    other.parent.mkdir()
    other.write_bytes(b"not a database either" * 100)
    code, err = _cli_message(capsys, other)
    assert code == 0 and t("common.startup_rebuilt_damaged", "zh") in err


def test_older_schema_with_demo_data_only_is_rebuilt(tmp_path, monkeypatch, capsys):
    db = tmp_path / "old.duckdb"
    _old_schema(db, imported=False)
    assert startup.decide(db) is startup.Outcome.REBUILT_SCHEMA
    at, infos, warnings, errors = _page_messages(monkeypatch, db)
    assert warnings == [t("common.startup_rebuilt_schema", "zh")] and not infos and not errors
    assert startup.ensure_built(db).outcome is startup.Outcome.READY
    other = tmp_path / "other.duckdb"
    _old_schema(other, imported=False)
    code, err = _cli_message(capsys, other)
    assert code == 0 and t("common.startup_rebuilt_schema", "zh") in err


@pytest.mark.parametrize("language", ["zh", "en"])
def test_older_schema_with_imported_data_is_refused_and_nothing_is_discarded(tmp_path, monkeypatch, capsys,
                                                                             language):
    db = tmp_path / "imported.duckdb"
    _old_schema(db, imported=True)
    before = db.resolve().read_bytes()
    monkeypatch.setenv("CAREMAP_DB", str(db))
    at = app_test("dashboard.py", lang=language)
    assert not at.exception
    assert [e.value for e in at.error] == [t("common.startup_refused_schema", language)]
    assert not at.metric  # the app stops: no figure from a database it cannot read correctly
    code, err = _cli_message(capsys, db)
    assert code == 1 and t("common.startup_refused_schema", "zh") in err
    assert db.resolve().read_bytes() == before
