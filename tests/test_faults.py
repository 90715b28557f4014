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
