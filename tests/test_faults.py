"""Faults: malformed configuration is reported with its line; a broken database file is recovered from."""

from caremap.common import config
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


def _checked_import(live):
    import duckdb

    from caremap import ingest
    from caremap.common.paths import TEMPLATES

    data = (TEMPLATES / "service_points.csv").read_bytes()
    con = duckdb.connect(str(live.resolve()), read_only=True)
    try:
        return ingest.check(data, "points.csv", "service_points", con, mode="append"), data
    finally:
        con.close()


def _fault_during_publish(tmp_path, monkeypatch, target: str, error: OSError):
    import shutil

    import pytest

    from caremap.ingest import load
    from caremap.store import build, versions

    live = tmp_path / "live.duckdb"
    build.build(live)
    before_target, before_bytes = live.resolve(), live.resolve().read_bytes()
    checked, data = _checked_import(live)
    assert checked.ok

    def fail(*args, **kwargs):
        raise error

    monkeypatch.setattr(shutil if target == "copyfile" else versions.os, target, fail)
    with pytest.raises(versions.PublishError) as info:
        load.publish_import(checked, data, "append", live, who="test")
    monkeypatch.undo()
    assert "原数据库未改动" in str(info.value) and error.strerror in str(info.value)
    assert live.resolve() == before_target and before_target.read_bytes() == before_bytes
    assert not list((tmp_path / "versions").glob(".tmp-*"))
    return live


def test_disk_full_during_import_leaves_the_previous_version(tmp_path, monkeypatch):
    import errno

    live = _fault_during_publish(tmp_path, monkeypatch, "copyfile",
                                 OSError(errno.ENOSPC, "No space left on device"))
    from caremap.ingest import load

    checked, data = _checked_import(live)  # and the next import, with space again, goes through
    assert load.publish_import(checked, data, "append", live, who="test").rows == 1


def test_read_only_data_folder_during_import_leaves_the_previous_version(tmp_path, monkeypatch):
    import errno

    _fault_during_publish(tmp_path, monkeypatch, "replace", OSError(errno.EROFS, "Read-only file system"))
