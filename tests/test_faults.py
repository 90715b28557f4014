"""Faults: malformed configuration is reported with its line; a broken database file is recovered from."""

from caremap import config
from conftest import app_test


def test_malformed_secrets_file_is_named_with_its_line(tmp_path, monkeypatch):
    bad = tmp_path / "secrets.toml"
    bad.write_text('[admin]\npassword_sha256 = "abc"\n[map\ntiles = "osm"\n', encoding="utf-8")
    monkeypatch.setenv("CAREMAP_SECRETS_FILE", str(bad))
    problem = config.secrets_problem()
    assert problem and str(bad) in problem and "line 3" in problem
    at = app_test("dashboard.py")
    assert not at.exception
    assert any("line 3" in e.value for e in at.error)
    assert at.metric  # the app still works


def test_wellformed_or_absent_secrets_raise_nothing(tmp_path, monkeypatch):
    good = tmp_path / "secrets.toml"
    good.write_text('[map]\ntiles = "osm"\n', encoding="utf-8")
    monkeypatch.setenv("CAREMAP_SECRETS_FILE", str(good))
    assert config.secrets_problem() is None
    monkeypatch.setenv("CAREMAP_SECRETS_FILE", str(tmp_path / "absent.toml"))
    assert config.secrets_problem() is None


def _live_db(tmp_path):
    from caremap import build

    db = tmp_path / "live.duckdb"
    build.build(db)
    build.build(db)  # two kept versions
    return db


def test_deleted_database_is_restored_from_the_newest_kept_version(tmp_path):
    from caremap import build

    db = _live_db(tmp_path)
    newest = db.resolve()
    db.unlink()  # the live link is gone
    status = build.ensure_built(db)
    assert status == f"restored:{newest.name}"
    assert db.resolve() == newest


def test_truncated_database_is_never_served_and_the_app_recovers(tmp_path, monkeypatch):
    from caremap import build

    db = _live_db(tmp_path)
    newest = db.resolve()
    with open(newest, "r+b") as fh:  # truncate the live version file to half
        fh.truncate(newest.stat().st_size // 2)
    status = build.ensure_built(db)
    assert status.startswith("restored:") and db.resolve() != newest  # the older intact version
    monkeypatch.setenv("CAREMAP_DB", str(db))
    at = app_test("dashboard.py")
    assert not at.exception and at.metric


def test_damaged_database_without_kept_versions_is_rebuilt_from_data(tmp_path, monkeypatch):
    from caremap import build

    db = tmp_path / "plain.duckdb"
    db.write_bytes(b"this is not a database" * 100)
    assert build.ensure_built(db) == "rebuilt_damaged"
    monkeypatch.setenv("CAREMAP_DB", str(db))
    at = app_test("dashboard.py")
    assert not at.exception
    assert {m.label: m.value for m in at.metric}["在岗儿童督导员"] == "74"


def test_database_from_an_older_schema_is_rebuilt_when_it_holds_demo_data_only(tmp_path):
    import duckdb

    from caremap import build

    db = tmp_path / "old.duckdb"
    build.build(db)
    con = duckdb.connect(str(db.resolve()))
    con.execute("update meta set value = 'old' where key = 'schema_hash'")
    con.close()
    assert build.ensure_built(db) == "rebuilt_schema"
    assert build.ensure_built(db) is None


def _checked_import(live):
    import duckdb

    from caremap import ingest
    from caremap.paths import TEMPLATES

    data = (TEMPLATES / "service_points.csv").read_bytes()
    con = duckdb.connect(str(live.resolve()), read_only=True)
    try:
        return ingest.check(data, "points.csv", "service_points", con, mode="append"), data
    finally:
        con.close()


def _fault_during_publish(tmp_path, monkeypatch, target: str, error: OSError):
    import shutil

    import pytest

    from caremap import build, publish

    live = tmp_path / "live.duckdb"
    build.build(live)
    before_target, before_bytes = live.resolve(), live.resolve().read_bytes()
    checked, data = _checked_import(live)
    assert checked.ok

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(shutil if target == "copyfile" else publish.os, target, fail)
    with pytest.raises(publish.PublishError) as info:
        publish.publish_import(checked, data, "append", live, who="test")
    monkeypatch.undo()
    assert "原数据库未改动" in str(info.value) and error.strerror in str(info.value)
    assert live.resolve() == before_target and before_target.read_bytes() == before_bytes
    assert not list((tmp_path / "versions").glob(".tmp-*"))
    return live


def test_disk_full_during_import_leaves_the_previous_version(tmp_path, monkeypatch):
    import errno

    live = _fault_during_publish(tmp_path, monkeypatch, "copyfile",
                                 OSError(errno.ENOSPC, "No space left on device"))
    from caremap import publish

    checked, data = _checked_import(live)  # and the next import, with space again, goes through
    assert publish.publish_import(checked, data, "append", live, who="test").rows == 1


def test_read_only_data_folder_during_import_leaves_the_previous_version(tmp_path, monkeypatch):
    import errno

    _fault_during_publish(tmp_path, monkeypatch, "replace", OSError(errno.EROFS, "Read-only file system"))
