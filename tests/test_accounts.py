"""Individual accounts (#20): the password storage format, complexity, expiry and lockout; `python -m caremap users`;
a district editor refused outside their district on the command line and on the data page; and the audit log's
rows for every audited event, append-only."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import sqlite3
from pathlib import Path

import duckdb
import pytest
from streamlit.testing.v1 import AppTest

from caremap import cli
from caremap.store import accounts, build

ROOT = Path(__file__).resolve().parent.parent
GOOD = "Strong-pass-2026"
NANSHAN_ROW = "示例·南山新站,workstation,南山区,粤海街道,南山区示例路31号,113.944,22.533\n"
LUOHU_ROW = "示例·罗湖新站,workstation,罗湖区,桂园街道,罗湖区示例路32号,114.112,22.545\n"
HEADER = "名称,类别,所属区,所属街道,地址,经度,纬度\n"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("accounts-base") / "caremap.duckdb"
    build.build(path)
    return path


@pytest.fixture()
def live(base_db, tmp_path, monkeypatch) -> Path:
    path = tmp_path / "db" / "caremap.duckdb"
    path.parent.mkdir()
    shutil.copyfile(base_db.resolve(), path)
    monkeypatch.setenv("CAREMAP_DB", str(path))
    return path


def test_passwords_are_salted_scrypt_and_verify():
    one, two = accounts.hash_password(GOOD), accounts.hash_password(GOOD)
    kind, n, r, p, salt, digest = one.split("$")
    assert (kind, n, r, p) == ("scrypt", "16384", "8", "1") and one != two   # a salt of its own each time
    assert accounts.verify_password(GOOD, one) and not accounts.verify_password("Strong-pass-2027", one)
    assert not accounts.verify_password(GOOD, "sha256$" + hashlib.sha256(GOOD.encode()).hexdigest())
    for weak in ("short1A!", "alllowercaseletters", "NoDigitsOrSymbols"):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.check_complexity(weak)
        assert refused.value.code == "weak_password"


def test_lockout_expiry_and_the_audit_log(live):
    now = dt.datetime(2026, 12, 1, 9, 0, 0)
    accounts.add("chen", GOOD, "city_admin", actor="test", now=now)
    for i in range(4):
        with pytest.raises(accounts.AccountError) as refused:
            accounts.authenticate("chen", "wrong-Password-1", place="10.0.0.1", now=now + dt.timedelta(seconds=i))
        assert refused.value.code == "wrong"
    with pytest.raises(accounts.AccountError) as refused:   # the fifth wrong password locks the account
        accounts.authenticate("chen", "wrong-Password-1", now=now + dt.timedelta(seconds=5))
    assert refused.value.code == "locked"
    with pytest.raises(accounts.AccountError) as refused:   # then even the right one waits 15 minutes
        accounts.authenticate("chen", GOOD, now=now + dt.timedelta(minutes=10))
    assert refused.value.code == "locked"
    assert accounts.authenticate("chen", GOOD, now=now + dt.timedelta(minutes=16)).role == "city_admin"
    with pytest.raises(accounts.AccountError) as refused:   # 180 days on, the password has expired
        accounts.authenticate("chen", GOOD, now=now + dt.timedelta(days=181))
    assert refused.value.code == "expired"
    accounts.disable("chen", "test")
    with pytest.raises(accounts.AccountError) as refused:
        accounts.authenticate("chen", GOOD, now=now + dt.timedelta(minutes=20))
    assert refused.value.code == "disabled"
    log = accounts.audit_log()
    assert log["event"].tolist() == ["user_add"] + ["login_failed"] * 4 + ["login_locked", "login_failed", "login_ok",
                                                                            "login_failed", "user_disable",
                                                                            "login_failed"]
    assert log.loc[1, "place"] == "10.0.0.1" and (log["who"] == "chen").sum() == 9
    con = sqlite3.connect(accounts.store_path())
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("update audit set who = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("delete from audit")


def _users(*args) -> int:
    return cli.main(["users", *args])


def test_the_users_command_adds_lists_resets_and_disables(live, monkeypatch, capsys):
    monkeypatch.setenv("CAREMAP_NEW_PASSWORD", GOOD)   # the admin password comes from the conftest secrets
    assert _users("add", "li", "--role", "district_editor", "--district", "440305", "--name", "南山区民政局") == 0
    assert _users("add", "wang", "--role", "viewer") == 0
    assert _users("add", "li", "--role", "viewer") == 1
    assert "账户 li 已存在" in capsys.readouterr().err
    monkeypatch.setenv("CAREMAP_NEW_PASSWORD", "weak")
    assert _users("reset", "li") == 1 and "密码太简单" in capsys.readouterr().err
    assert _users("add", "zhao", "--role", "district_editor") == 1
    monkeypatch.setenv("CAREMAP_NEW_PASSWORD", "Another-pass-77")
    assert _users("reset", "li") == 0
    assert _users("disable", "wang") == 0
    capsys.readouterr()
    assert _users("list", "--json") == 0
    import json

    listed = {u["username"]: u for u in json.loads(capsys.readouterr().out)}
    assert listed["li"]["role"] == "district_editor" and listed["li"]["district_code"] == "440305"
    assert listed["wang"]["disabled"] == 1 and "password_hash" not in listed["li"]
    assert accounts.authenticate("li", "Another-pass-77").district_code == "440305"
    events = accounts.audit_log()["event"].tolist()
    assert events[:4] == ["user_add", "user_add", "user_reset", "user_disable"]
    monkeypatch.setenv("CAREMAP_ADMIN_PASSWORD", "not-the-password")
    assert _users("list") == 1 and "管理员密码错误" in capsys.readouterr().err


def test_a_district_editor_imports_only_their_district_on_the_command_line(live, tmp_path, monkeypatch, capsys):
    accounts.add("li", GOOD, "district_editor", "440305", actor="test")
    monkeypatch.setenv("CAREMAP_USER_PASSWORD", GOOD)
    mixed = tmp_path / "mixed.csv"
    mixed.write_text(HEADER + NANSHAN_ROW + LUOHU_ROW, encoding="utf-8")
    before = duckdb.connect(str(live), read_only=True).execute("select count(*) from service_point").fetchone()[0]
    assert cli.main(["import", str(mixed), "--kind", "service_points", "--append", "--user", "li",
                     "--db", str(live)]) == 1
    err = capsys.readouterr().err
    assert "mixed.csv：第 3 行（要素）不属于你的辖区 440305，区级编辑只能导入本区的数据，未写入任何数据" in err
    assert cli.main(["import", str(mixed), "--kind", "service_points", "--user", "li", "--db", str(live)]) == 1
    assert "区级编辑只能以“追加”方式导入本区的数据" in capsys.readouterr().err
    own = tmp_path / "own.csv"
    own.write_text(HEADER + NANSHAN_ROW, encoding="utf-8")
    assert cli.main(["import", str(own), "--kind", "service_points", "--append", "--user", "li",
                     "--db", str(live)]) == 0
    con = duckdb.connect(str(live), read_only=True)
    try:
        assert con.execute("select count(*) from service_point").fetchone()[0] == before + 1
        assert con.execute("select who from import_log order by id desc limit 1").fetchone()[0] == "cli:li"
    finally:
        con.close()
    log = accounts.audit_log()
    assert log["event"].tolist()[-2:] == ["login_ok", "import"]
    assert "import_refused" in log["event"].tolist()   # the refused mixed file is audited too
    assert log.loc[log["event"] == "import", "who"].tolist() == ["cli:li"]


def test_a_district_editor_on_the_data_page_and_a_viewer_kept_out(live):
    accounts.add("li", GOOD, "district_editor", "440305", actor="test")
    accounts.add("wang", GOOD, "viewer", actor="test")

    def login(user: str) -> AppTest:
        at = AppTest.from_file(str(ROOT / "pages/data_admin.py"), default_timeout=60).run()
        at.text_input(key="data_admin_who").input(user)
        at.text_input(key="data_admin_password").input(GOOD)
        return at.button[0].click().run()

    viewer = login("wang")
    assert [e.value for e in viewer.error] == ["此账户为只读（viewer），不能使用数据管理页"] and not viewer.tabs
    at = login("li")
    assert not at.exception and [tab.label for tab in at.tabs][0] == "导入"
    assert "回滚会改动全市的数据，只有城市管理员（city_admin）可以回滚。" in [i.value for i in at.info]
    # the page publishes with the logged-in account (auth.account()); the same call, refused outside the district
    from caremap import ingest
    from caremap.ingest import load
    from caremap.store import versions

    data = (HEADER + LUOHU_ROW).encode()
    checked = ingest.check_current(data, "罗湖.csv", "service_points", mode="append")
    with pytest.raises(versions.PublishError, match="第 2 行（要素）不属于你的辖区 440305"):
        load.publish_import(checked, data, "append", account=accounts.authenticate("li", GOOD), who="web:li")
