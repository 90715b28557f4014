"""`python -m caremap import`: exit codes, all-or-nothing publishing, history, rollback, a kill mid-import."""
# ruff: noqa: E501  (expected report lines are long Chinese sentences, kept whole)

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from caremap import cli, ingest
from caremap.ingest import load
from caremap.store import build, versions

ROOT = Path(__file__).resolve().parent.parent
SP = "名称,类别,所属区,所属街道,所属社区,地址,联系电话,经度,纬度,坐标系\n"
GOOD = SP + ("示例·粤海儿童之家,儿童之家,南山区,粤海街道,科技园社区,南山区示例路1号,0755-00000000,113.944,22.533,WGS84\n"
             "示例·南山工作站,workstation,南山,南山街道办,,南山区示例路2号,,113.925,22.515,\n")
BAD = SP + "示例·坏点,儿童乐园,南山区,粤海街道,,南山区示例路3号,,113.944,22.533,\n"


@pytest.fixture(scope="module")
def base_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("base") / "caremap.duckdb"
    build.build(path)
    return path


@pytest.fixture()
def live(base_db, tmp_path) -> Path:
    """This test's own copy of the demo database; its versions/ and imports/ live beside it."""
    path = tmp_path / "db" / "caremap.duckdb"
    path.parent.mkdir()
    shutil.copyfile(base_db, path)
    return path


def _write(tmp_path, name, text, encoding="utf-8") -> Path:
    f = tmp_path / name
    f.write_bytes(text.encode(encoding))
    return f


def _sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _sql(path: Path, sql: str, params=None):
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql, params or {}).fetchall()
    finally:
        con.close()


def _import(*args) -> int:
    return cli.main(["import", *map(str, args)])


def test_clean_file_exits_0_and_publishes_a_new_version_with_its_record(live, tmp_path, capsys):
    before = _sha(live)
    old_version = _sql(live, "select value from meta where key = 'data_version'")[0][0]
    f = _write(tmp_path, "服务点.csv", GOOD, "gb18030")
    assert _import(f, "--kind", "service_points", "--db", live, "--who", "tester") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "服务点.csv：读取 2 行数据，可导入 2 行，有错误的 0 行（错误 0 处，警告 0 处）。"
    meta = dict(_sql(live, "select key, value from meta"))
    assert out[1] == f"已发布数据版本 {meta['data_version']}（原版本 {old_version}），导入 2 行。"
    assert meta["data_version"] != old_version
    assert meta["demo_tables"] == "worker,sw_org,sw_project,sw_site,sw_service_month,community"
    assert meta["is_demo"] == "true"   # workers, projects and sites are still the demo's: still labelled 示例数据
    assert _sql(live, "select name, district_code, street_code from service_point order by id") == [
        ("示例·粤海儿童之家", "440305", "440305007"), ("示例·南山工作站", "440305", "440305002")]
    log = _sql(live, "select kind, file_name, sha256, rows_accepted, rows_rejected, mode, who, stored_path, "
                     "data_version from import_log")
    assert log == [("service_points", "服务点.csv", _sha(f), 2, 0, "replace", "tester",
                    f"imports/{_sha(f)}/服务点.csv", meta["data_version"])]
    assert (live.parent / log[0][7]).read_bytes() == f.read_bytes()          # the original is kept
    kept = versions.versions(live)
    assert kept["data_version"].tolist() == [meta["data_version"], old_version]
    assert kept["live"].tolist() == [True, False]
    old_file = next(live.parent.glob(f"versions/*-{old_version}.duckdb"))
    assert _sha(old_file) == before                                           # the old version, byte for byte
    assert live.is_symlink() and not list(live.parent.glob(".*import*")) and not list(live.parent.glob("versions/.*"))


def test_dry_run_exits_0_and_writes_nothing(live, tmp_path, capsys):
    before = _sha(live)
    f = _write(tmp_path, "points.csv", GOOD)
    assert _import(f, "--kind", "service_points", "--db", live, "--dry-run") == 0
    assert capsys.readouterr().out.splitlines()[-1] == "试运行：校验通过，未写入任何数据。"
    assert _sha(live) == before and not live.is_symlink() and sorted(os.listdir(live.parent)) == ["caremap.duckdb"]


def test_a_file_with_errors_exits_1_and_writes_nothing(live, tmp_path, capsys):
    before = _sha(live)
    f = _write(tmp_path, "bad.csv", GOOD + BAD.split("\n", 1)[1])
    assert _import(f, "--kind", "service_points", "--db", live) == 1
    assert capsys.readouterr().out.splitlines() == [
        "[错误] bad.csv 第4行 B列（类别）“儿童乐园”：未知的服务点类别 → 请改为模板列出的类别名称或代码，最接近的是：儿童之家、儿童福利机构、残疾儿童康复机构",
        "bad.csv：读取 3 行数据，可导入 0 行，有错误的 1 行（错误 1 处，警告 0 处）。",
        "文件有错误，未写入任何数据。请按上面的提示修改后重新导入。",
    ]
    assert _sha(live) == before and sorted(os.listdir(live.parent)) == ["caremap.duckdb"]


@pytest.mark.parametrize("name, data", [
    ("missing.csv", None),
    ("binary.csv", b"\x00\x01\x02\x03"),
    ("fake.xlsx", "名称,类别\n".encode()),
])
def test_a_file_that_cannot_be_read_exits_2(live, tmp_path, capsys, name, data):
    before = _sha(live)
    f = tmp_path / name
    if data is not None:
        f.write_bytes(data)
    assert _import(f, "--kind", "service_points", "--db", live) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"{name}: ")
    assert _sha(live) == before


def test_append_adds_rows_and_refuses_the_same_rows_twice(live, tmp_path, capsys):
    f = _write(tmp_path, "more.csv", GOOD)
    assert _import(f, "--kind", "service_points", "--db", live, "--append", "--who", "t") == 0
    assert _sql(live, "select count(*) from service_point")[0][0] == 1513 + 2
    capsys.readouterr()
    assert _import(f, "--kind", "service_points", "--db", live, "--append") == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == ("[错误] more.csv 第2行 A列（名称）“示例·粤海儿童之家”：数据库中已有相同记录 → "
                        "追加模式不接受重复记录：请删除该行，或改用替换模式")
    assert _sql(live, "select count(*) from service_point")[0][0] == 1513 + 2
    assert _sql(live, "select mode from import_log") == [("append",)]


def test_rollback_restores_the_earlier_tables_and_keeps_the_history(live, tmp_path):
    original = _sql(live, "select * from service_point order by id")
    demo_version = _sql(live, "select value from meta where key = 'data_version'")[0][0]
    f = _write(tmp_path, "points.csv", GOOD)
    assert _import(f, "--kind", "service_points", "--db", live, "--who", "a") == 0
    assert _sql(live, "select count(*) from service_point")[0][0] == 2
    result = versions.rollback(demo_version, live, who="b")
    assert _sql(live, "select * from service_point order by id") == original
    meta = dict(_sql(live, "select key, value from meta"))
    assert meta["data_version"] == result.data_version != demo_version
    assert meta["is_demo"] == "true" and meta["restored_from"] == demo_version
    assert _sql(live, "select id, kind, mode, who from import_log order by id") == [
        (1, "service_points", "replace", "a"), (2, "rollback", "rollback", "b")]
    assert len(versions.versions(live)) == 3
    with pytest.raises(versions.PublishError, match="没有保存的版本 abcdef123456"):
        versions.rollback("abcdef123456", live)


def test_projects_replace_creates_organisations_and_drops_orphaned_sites(live, tmp_path, capsys):
    text = ("项目编号,机构,项目名称,服务领域,服务对象,所属区,开始日期,结束日期,资金（万元）,社工人数\n"
            "P00001,ORG01,示例·保留的项目,亲子关系促进,儿童家庭,南山区,2020-01-01,2020-12-31,30.5,3\n"
            ",示例·新成立社工中心,示例·新项目,校园欺凌预防,在校儿童,福田区,2020/3/1,2021/2/28,12,2\n")
    f = _write(tmp_path, "projects.xlsx.csv", text)
    kept_sites = _sql(live, "select count(*) from sw_site where project_id = 'P00001'")[0][0]
    assert _import(f, "--kind", "projects", "--db", live, "--who", "t") == 0
    assert _sql(live, "select id, org_id, funding_wan::double from sw_project order by id") == [
        ("P00001", "ORG01", 30.5), ("P00192", "ORG34", 12.0)]
    assert _sql(live, "select id, name from sw_org order by id") == [
        ("ORG01", "示例·晨曦社会工作服务中心"), ("ORG34", "示例·新成立社工中心")]
    assert _sql(live, "select count(*) from sw_site")[0][0] == kept_sites
    assert _sql(live, "select count(distinct project_id) from sw_service_month")[0][0] == 1
    assert "[警告] projects.xlsx.csv 第3行 B列（机构）“示例·新成立社工中心”：机构尚未登记，导入时将新建（编号 ORG34）" \
        in capsys.readouterr().out


def test_a_load_that_breaks_integrity_is_refused_and_the_live_file_is_untouched(live, tmp_path):
    before = _sha(live)
    con = duckdb.connect(str(live), read_only=True)
    checked = ingest.check(GOOD.encode(), "x.csv", "service_points", con)
    con.close()
    checked.rows.loc[0, "category"] = "no_such_category"  # as if validation had missed it
    with pytest.raises(versions.PublishError, match="service_point.category 不在 service_category 中"):
        load.publish_import(checked, GOOD.encode(), "replace", live, who="t")
    assert _sha(live) == before and not live.is_symlink()
    assert not list(live.parent.glob("versions/.tmp-*"))


@pytest.mark.parametrize("stage", ["loaded", "before_replace"])
def test_a_process_killed_mid_import_leaves_the_old_version_readable_and_unchanged(live, tmp_path, stage):
    before = _sha(live)
    f = _write(tmp_path, "points.csv", GOOD)
    env = {**os.environ, "CAREMAP_TEST_PAUSE_AT": stage}
    proc = subprocess.Popen([sys.executable, "-m", "caremap", "import", str(f), "--kind", "service_points",
                             "--db", str(live)], cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)
    try:
        for line in proc.stderr:   # the hook announces the stage, then sleeps
            if line.startswith("PAUSED"):
                assert line.strip() == f"PAUSED {stage}"
                break
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.wait()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    assert _sha(live.resolve()) == before and not live.is_symlink()
    assert _sql(live, "select count(*) from service_point")[0][0] == 1513
    assert _sql(live, "select count(*) from import_log")[0][0] == 0
    # the next import cleans up what the killed one left and publishes normally
    assert _import(f, "--kind", "service_points", "--db", live, "--who", "t") == 0
    assert _sql(live, "select count(*) from service_point")[0][0] == 2
    assert len(versions.versions(live)) == 2
    assert not [p.name for p in (live.parent / "versions").iterdir() if p.name.startswith(".")]
    assert not list(live.parent.glob(".caremap.duckdb.link-*"))


def test_the_demo_label_goes_once_every_kind_holds_the_bureau_s_data(live, tmp_path):
    files = [("service_points", GOOD),
             ("workers", "角色,姓名,所属区,所属街道,所属社区,状态\n儿童督导员,甲示例,南山区,粤海街道,,在岗\n"
                         "儿童主任,,南山区,粤海街道,科技园社区,空缺\n"),
             ("projects", "项目编号,机构,项目名称\nP90001,示例·阳光社会工作服务中心,示例·亲子关系促进项目\n"),
             ("sites", "项目编号,项目点名称,所属区,所属街道,所属社区\nP90001,示例·科技园社区项目点,南山区,粤海街道,科技园社区\n")]
    labels = []
    for kind, text in files:
        assert _import(_write(tmp_path, f"{kind}.csv", text), "--kind", kind, "--db", live, "--who", "t") == 0
        labels.append(_sql(live, "select value from meta where key = 'is_demo'")[0][0])
    assert labels == ["true", "true", "false", "false"]  # replacing projects dropped every demo site with them
    assert _sql(live, "select value from meta where key = 'demo_tables'")[0][0] == "community"  # its locations
    assert _sql(live, "select count(*) from sw_service_month")[0][0] == 0
    assert _sql(live, "select role, name, status, community_code from worker order by id") == [
        ("儿童督导员", "甲示例", "在岗", None), ("儿童主任", None, "空缺", "440305007003")]
    assert [r[0] for r in _sql(live, "select kind from import_log order by id")] == [k for k, _ in files]


def test_the_kept_original_never_leaves_its_folder(live):
    con = duckdb.connect(str(live), read_only=True)
    checked = ingest.check(GOOD.encode(), "../../..", "service_points", con)
    con.close()
    result = load.publish_import(checked, GOOD.encode(), "replace", live, who="t")
    assert result.stored_path == f"imports/{checked.sha256}/upload"
    assert (live.parent / result.stored_path).read_bytes() == GOOD.encode()


def test_the_import_cli_cannot_write_without_credentials(tmp_path, monkeypatch):
    live = tmp_path / "guarded.duckdb"
    build.build(live)
    before = live.resolve().read_bytes()
    f = tmp_path / "points.csv"
    f.write_text((ROOT / "data" / "templates" / "service_points.csv").read_text(encoding="utf-8-sig"),
                 encoding="utf-8")
    args = ["import", str(f), "--kind", "service_points", "--db", str(live)]
    monkeypatch.delenv("CAREMAP_ADMIN_PASSWORD")
    assert cli.main(args) == 1  # no password given (no terminal to ask at)
    monkeypatch.setenv("CAREMAP_ADMIN_PASSWORD", "wrong")
    assert cli.main(args) == 1
    monkeypatch.setenv("CAREMAP_SECRETS_FILE", str(tmp_path / "none.toml"))  # no admin configured at all
    monkeypatch.setenv("CAREMAP_ADMIN_PASSWORD", "anything")
    assert cli.main(args) == 1
    assert live.resolve().read_bytes() == before
    assert cli.main([*args, "--dry-run"]) == 0  # validating needs no credentials


def test_an_import_checked_before_another_was_published_is_checked_again_and_lands(live, tmp_path):
    """Two people check their files against the same version; the second to publish is checked again against the
    first's version under the lock: new ids, both land, and the note says so — never a raw key error."""
    a = "名称,类别,所属区,所属街道,地址,经度,纬度\n示例·甲站,workstation,南山区,粤海街道,南山区示例路11号,113.944,22.533\n"
    b = "名称,类别,所属区,所属街道,地址,经度,纬度\n示例·乙站,workstation,南山区,粤海街道,南山区示例路12号,113.945,22.534\n"
    con = duckdb.connect(str(live), read_only=True)
    try:
        first = ingest.check(a.encode(), "a.csv", "service_points", con, mode="append")
        second = ingest.check(b.encode(), "b.csv", "service_points", con, mode="append")
    finally:
        con.close()
    assert first.rows["id"].tolist() == second.rows["id"].tolist() == ["SP0001514"]   # the same id, both
    one = load.publish_import(first, a.encode(), "append", live, who="甲")
    two = load.publish_import(second, b.encode(), "append", live, who="乙")
    assert two.notes[0] == two.rechecked and two.rechecked.startswith(
        f"另一次导入已先发布版本 {one.data_version}：本文件已按该版本重新校验")
    rows = _sql(live, "select id, name from service_point where name like '示例·_站' order by id")
    assert rows == [("SP0001514", "示例·甲站"), ("SP0001515", "示例·乙站")]


def test_a_file_that_the_other_import_made_wrong_is_refused_in_plain_words(live):
    same = "名称,类别,所属区,所属街道,地址,经度,纬度\n示例·丙站,workstation,南山区,粤海街道,南山区示例路13号,113.944,22.533\n"
    con = duckdb.connect(str(live), read_only=True)
    try:
        first = ingest.check(same.encode(), "a.csv", "service_points", con, mode="append")
        second = ingest.check(same.encode(), "b.csv", "service_points", con, mode="append")
    finally:
        con.close()
    done = load.publish_import(first, same.encode(), "append", live, who="甲")
    with pytest.raises(versions.PublishError) as refused:
        load.publish_import(second, same.encode(), "append", live, who="乙")
    text = str(refused.value)
    assert text.startswith(f"在你校验之后，另一次导入已发布新版本 {done.data_version}；按新版本重新校验，文件有 1 处错误")
    assert "Constraint" not in text and "Duplicate key" not in text
    assert _sql(live, "select count(*) from service_point where name = '示例·丙站'")[0][0] == 1


def test_two_imports_at_the_same_moment_both_land(live, tmp_path):
    files = []
    for i in range(2):
        f = tmp_path / f"p{i}.csv"
        f.write_text("名称,类别,所属区,所属街道,地址,经度,纬度\n"
                     f"示例·并发{i},workstation,南山区,粤海街道,南山区示例路{20 + i}号,113.94{i},22.53{i}\n",
                     encoding="utf-8")
        files.append(f)
    procs = [subprocess.Popen([sys.executable, "-m", "caremap", "import", str(f), "--kind", "service_points",
                               "--append", "--db", str(live), "--who", f"p{i}"], cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for i, f in enumerate(files)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outs
    assert not any("Constraint" in o + e or "Traceback" in o + e for o, e in outs)
    ids = _sql(live, "select id from service_point where name like '示例·并发%' order by id")
    assert len(ids) == 2 and len({i for (i,) in ids}) == 2
    assert _sql(live, "select count(*) from import_log")[0][0] == 2
