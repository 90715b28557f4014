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


def _dashboard_login(user: str, password: str) -> AppTest:
    """The app as a browser session has it: log in on the data page, then the session moves between pages."""
    from caremap.common.i18n import t

    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=60)
    if not user:   # the shared administrator password, configured in the app's secrets
        at.secrets["admin"] = {"password_sha256": hashlib.sha256(password.encode()).hexdigest()}
    at.switch_page("pages/data_admin.py").run()
    if user:
        at.text_input(key="data_admin_who").input(user)
    at.text_input(key="data_admin_password").input(password)
    next(b for b in at.button if b.label == t("data_admin.login", "zh")).click().run()
    assert not at.exception, at.exception
    return at


def _roster(at, district: str | None):
    at.query_params["district"] = district or ""
    if not district:
        del at.query_params["district"]
    at.switch_page("pages/workforce.py").run()
    assert not at.exception, at.exception
    return next(d.value for d in at.dataframe if "姓名" in d.value.columns and "电话" in d.value.columns)


def test_a_district_editor_sees_their_district_s_names_and_each_view_is_audited(live, downloads):
    from caremap.report import masking
    from caremap.store import db

    accounts.add("li", GOOD, "district_editor", "440305", actor="test")
    at = _dashboard_login("li", GOOD)
    raw = db.query("workforce_roster", district=None, street=None)
    shown = _roster(at, None)   # the whole city: 南山区's rows open, every other district's masked
    nanshan = (raw["district_code"] == "440305").to_numpy()
    assert shown.loc[nanshan, "姓名"].fillna("").tolist() == raw.loc[nanshan, "name"].fillna("").tolist()
    assert shown.loc[nanshan, "电话"].fillna("").tolist() == raw.loc[nanshan, "phone"].fillna("").tolist()
    assert shown.loc[~nanshan, "姓名"].fillna("").tolist() == raw.loc[~nanshan, "name"].map(
        masking.mask_name).fillna("").tolist()
    views = accounts.audit_log(event="view_personal")
    assert views["who"].tolist() == ["li"] and f"{int(nanshan.sum())} rows" in views["what"].iloc[0]
    _roster(at, None)   # the same view again (any rerun of the page): one view, logged once
    assert len(accounts.audit_log(event="view_personal")) == 1
    filed = downloads(at)["workforce_roster_csv"].decode("utf-8-sig")   # the export, as shown, and audited
    assert raw.loc[nanshan, "phone"].dropna().iloc[0] in filed          # demo phones are unique, names are not
    assert not any(p in filed for p in raw.loc[~nanshan, "phone"].dropna())
    # three files were made: the roster's CSV, its XLSX and the page's workbook (导出本页), each audited
    assert accounts.audit_log(event="export_personal")["who"].tolist() == ["li"] * 3
    luohu = _roster(at, "440303")   # another district alone: nothing open, nothing audited
    assert luohu["姓名"].dropna().str.contains(r"\*").all()
    assert len(accounts.audit_log(event="view_personal")) == 1
    assert "审计日志只有城市管理员（city_admin）可以查看。" in [i.value for i in
                                                    at.switch_page("pages/data_admin.py").run().info]


def test_nobody_logged_in_sees_personal_data_and_the_audit_log_is_searchable(live, downloads):
    from conftest import ADMIN_PASSWORD

    anonymous = AppTest.from_file(str(ROOT / "pages/workforce.py"), default_timeout=60).run()
    roster = next(d.value for d in anonymous.dataframe if "姓名" in d.value.columns and "电话" in d.value.columns)
    assert roster["姓名"].dropna().str.contains(r"\*").all() and accounts.audit_log(event="view_personal").empty
    at = _dashboard_login("", ADMIN_PASSWORD)   # the shared administrator password: a city administrator
    shown = _roster(at, "440303")
    assert not shown["姓名"].dropna().str.contains(r"\*").any()
    accounts.audit("import", "cli:zhang", "服务点.csv", place="cli")
    at.switch_page("pages/data_admin.py").run()
    table = next(d.value for d in at.dataframe if "事件" in d.value.columns and "操作人" in d.value.columns)
    assert {"view_personal", "import"} <= set(table["事件"]) and table["序号"].is_monotonic_decreasing
    at.multiselect(key="data_admin_audit_events").set_value(["import"]).run()
    table = next(d.value for d in at.dataframe if "事件" in d.value.columns and "操作人" in d.value.columns)
    assert table["事件"].tolist() == ["import"] and table["操作人"].tolist() == ["cli:zhang"]
    at.text_input(key="data_admin_audit_who").input("nobody").run()
    assert next(d.value for d in at.dataframe if "事件" in d.value.columns and "操作人" in d.value.columns).empty
    assert accounts.audit_search(["import"], since="2000-01-01", until=dt.date.today().isoformat())[
        "who"].tolist() == ["cli:zhang"]
    downloads(at)["data_admin_audit_csv"]   # exporting the log is itself in the log: its CSV, XLSX and 导出本页
    assert accounts.audit_log(event="audit_export")["who"].tolist() == ["web:admin"] * 3


def test_an_idle_session_is_logged_out_and_audited(live):
    from caremap.common.i18n import t

    accounts.add("li", GOOD, "district_editor", "440305", actor="test")
    at = _dashboard_login("li", GOOD)
    assert not at.get("text_input") or all(w.key != "data_admin_password" for w in at.text_input)   # logged in
    state = dict(at.session_state["data_admin_auth"])
    state["seen"] -= 60 * accounts.rules()["session_minutes"] - 60   # idle 29 minutes: still in
    at.session_state["data_admin_auth"] = state
    at.run()
    assert all(w.key != "data_admin_password" for w in at.text_input)
    state = dict(at.session_state["data_admin_auth"])
    state["seen"] -= 60 * accounts.rules()["session_minutes"] + 1   # then idle past the limit
    at.session_state["data_admin_auth"] = state
    at.run()
    assert any(w.key == "data_admin_password" for w in at.text_input)   # the login form again
    assert t("data_admin.timed_out", "zh", minutes=30) in [w.value for w in at.warning]
    assert accounts.audit_log(event="session_timeout")["who"].tolist() == ["li"]


def _sso_secrets(folder: Path, issuer: str, port: int) -> Path:
    from oidc_provider import CLIENT_ID, CLIENT_SECRET

    path = folder / "secrets.toml"
    path.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{port}/oauth2callback"
cookie_secret = "a-test-cookie-secret-of-enough-length"

[auth.bureau]
client_id = "{CLIENT_ID}"
client_secret = "{CLIENT_SECRET}"
server_metadata_url = "{issuer}/.well-known/openid-configuration"
client_kwargs = {{ prompt = "login" }}
""", encoding="utf-8")
    return path


@pytest.mark.browser
@pytest.mark.parametrize("claims, expect", [
    ({"sub": "u1", "email": "li@bureau.example", "caremap_role": "district_editor", "caremap_district": "440305"},
     ("li@bureau.example", "district_editor")),
    ({"sub": "u2", "preferred_username": "zhao", "email": "zhao@bureau.example"}, ("zhao", "city_admin")),  # users
    ({"sub": "u3", "email": "guest@bureau.example"}, None),   # no account, no role claim: refused
])
def test_single_sign_on_through_the_bureau_s_identity_provider(live, tmp_path, claims, expect):
    """st.login against an OpenID Connect provider on loopback: the role comes from the token's claims or the users
    table, the sign-on is audited, and a user the bureau has not given a role to is refused in plain words."""
    from oidc_provider import provider

    from browser import chromium, free_port, streamlit_app
    from caremap.common.i18n import t

    accounts.add("zhao", GOOD, "city_admin", actor="test")
    port = free_port()
    with provider(claims) as issuer:
        secrets = _sso_secrets(tmp_path, issuer, port)
        with streamlit_app(db=live, name="sso", port=port, args=("--secrets.files", str(secrets))) as url, \
                chromium(webgl=False) as browser:
            page = browser.new_page(viewport={"width": 1440, "height": 900})
            page.goto(f"{url}/data_admin")
            page.get_by_role("button", name=t("data_admin.sso", "zh", provider="bureau")).click()
            page.wait_for_url(f"{url}/", timeout=60_000)   # Streamlit brings a signed-in browser back to the start
            page.goto(f"{url}/data_admin")
            if expect is None:
                page.get_by_text(t("accounts.wrong", "zh")).first.wait_for(timeout=60_000)
                assert accounts.audit_log(event="login_failed")["what"].str.contains("single sign-on").any()
                return
            page.get_by_text(t("data_admin.logged_in", "zh", who=f"web:{expect[0]}")).wait_for(timeout=60_000)
    ok = accounts.audit_log(event="login_ok")
    assert ok["who"].tolist() == [expect[0]] and ok["what"].iloc[0] == f"single sign-on as {expect[1]}"
    assert ok["place"].iloc[0].startswith("sso:bureau")
