"""Ingest: reading what people send (encodings, XLSX/XLS, title rows, synonyms) and the exact report lines."""
# ruff: noqa: E501  (the expected report lines are long Chinese sentences, kept whole so they read as printed)

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile

import duckdb
import openpyxl
import pandas as pd
import pytest

from caremap import ingest
from caremap.common import crs, dates
from caremap.store import build

SP = "名称,类别,所属区,所属街道,所属社区,地址,联系电话,经度,纬度,坐标系"
OK_SP = "示例点,儿童之家,南山区,粤海街道,科技园社区,示例路1号,0755-00000000,113.944,22.533,WGS84"
W = "编号,角色,姓名,联系电话,所属区,所属街道,所属社区,状态,任职日期,培训学时,证书"
P = "项目编号,机构,项目名称,服务领域,服务对象,所属区,开始日期,结束日期,资金（万元）,社工人数"
S = "项目点编号,项目编号,项目点名称,所属区,所属街道,所属社区,经度,纬度,坐标系"
ROW = "示例点,儿童之家,南山区,粤海街道,,示例路1号,,"  # a service point up to its coordinates

# One bad file per problem: (case, kind, mode, file text, the exact report lines).
CORPUS = [
    ("no_header", "service_points", "replace", "深圳市儿童服务点\n甲,乙,丙\n", [
        "[错误] no_header.csv：未找到表头行 → 请使用数据模板，表头至少包含：名称、类别、所属区、所属街道、地址、经度、纬度"]),
    ("missing_column", "service_points", "replace",
     "名称,类别,所属区,所属街道,联系电话,经度,纬度\n示例点,儿童之家,南山区,粤海街道,,113.944,22.533\n", [
         "[错误] missing_column.csv：缺少必填列“地址” → 请在表头加上该列（可用列名：地址/address/详细地址）"]),
    ("missing_required", "service_points", "replace", f"{SP}\n,儿童之家,南山区,粤海街道,,示例路1号,,113.944,22.533,\n", [
        "[错误] missing_required.csv 第2行 A列（名称）“”：必填项为空 → 请填写该项"]),
    ("no_rows", "service_points", "replace", f"{SP}\n,,,,,,,,,\n", [
        "[错误] no_rows.csv：表头下没有数据行 → 请在表头下逐行填写数据"]),
    ("district_unknown", "service_points", "replace", f"{SP}\n示例点,儿童之家,南三区,粤海街道,,示例路1号,,113.944,22.533,\n", [
        "[错误] district_unknown.csv 第2行 C列（所属区）“南三区”：无法识别的区名 → 请改为有效区名，最接近的是：南山区"]),
    ("district_ambiguous", "service_points", "replace", f"{SP}\n示例点,儿童之家,龙,龙城街道,,示例路1号,,114.25,22.72,\n", [
        "[错误] district_ambiguous.csv 第2行 C列（所属区）“龙”：区名不唯一，可对应：龙华区、龙岗区 → 请写全称，例如：龙华区、龙岗区"]),
    ("district_is_a_street", "service_points", "replace", f"{SP}\n示例点,儿童之家,葵涌,葵涌街道,,示例路1号,,114.43,22.63,\n", [
        "[错误] district_is_a_street.csv 第2行 C列（所属区）“葵涌”：无法识别的区名 → 请改为有效区名，最接近的是：大鹏新区"]),
    ("street_unknown", "service_points", "replace", f"{SP}\n示例点,儿童之家,南山区,粤海路街道,,示例路1号,,113.944,22.533,\n", [
        "[错误] street_unknown.csv 第2行 D列（所属街道）“粤海路街道”：该区内无此街道 → 请改为有效街道名，最接近的是：粤海街道"]),
    ("street_ambiguous", "service_points", "replace", f"{SP}\n示例点,儿童之家,南山区,南,,示例路1号,,113.944,22.533,\n", [
        "[错误] street_ambiguous.csv 第2行 D列（所属街道）“南”：街道名不唯一，可对应：南头街道、南山街道 → 请写全称，例如：南头街道、南山街道"]),
    ("street_other_district", "service_points", "replace",
     f"{SP}\n示例点,儿童之家,福田区,粤海街道办,,示例路1号,,113.944,22.533,\n", [
         "[错误] street_other_district.csv 第2行 D列（所属街道）“粤海街道办”：粤海街道属于南山区，不在所填的福田区 → 请核对所属区或所属街道"]),
    ("community_unknown", "service_points", "replace",
     f"{SP}\n示例点,儿童之家,南山区,粤海街道,科技圆社区,示例路1号,,113.944,22.533,\n", [
         "[错误] community_unknown.csv 第2行 E列（所属社区）“科技圆社区”：所属街道（区）内无此社区 → 请改为有效社区名，最接近的是：科技园社区"]),
    ("category_unknown", "service_points", "replace", f"{SP}\n示例点,儿童乐园,南山区,粤海街道,,示例路1号,,113.944,22.533,\n", [
        "[错误] category_unknown.csv 第2行 B列（类别）“儿童乐园”：未知的服务点类别 → 请改为模板列出的类别名称或代码，"
        "最接近的是：儿童之家、儿童福利机构、残疾儿童康复机构"]),
    ("bad_phone", "service_points", "replace", f"{SP}\n示例点,儿童之家,南山区,粤海街道,,示例路1号,12345678901,113.944,22.533,\n", [
        "[错误] bad_phone.csv 第2行 G列（联系电话）“12345678901”：电话号码格式不对 → 手机号为 11 位、以 13–19 开头；"
        "座机写作 0755-XXXXXXXX；多个号码用“、”分隔"]),
    ("outside_city", "service_points", "replace", f"{SP}\n{ROW}116.4,39.9,\n", [
        "[错误] outside_city.csv 第2行 H列（经度）“116.4”：坐标（116.400000, 39.900000）不在深圳市范围内 → "
        "请核对经纬度和坐标系（高德/腾讯为 GCJ02，百度为 BD09）"]),
    ("outside_district", "service_points", "replace", f"{SP}\n{ROW}114.06,22.54,\n", [
        "[错误] outside_district.csv 第2行 H列（经度）“114.06”：坐标（114.060000, 22.540000）位于福田区，不在所填的南山区 → "
        "请核对经纬度、坐标系或所属区"]),
    ("bad_number", "service_points", "replace", f"{SP}\n{ROW}113.9x,22.533,\n", [
        "[错误] bad_number.csv 第2行 H列（经度）“113.9x”：不是数字 → 经纬度请填写十进制度数，例如 114.057868"]),
    ("bad_crs", "service_points", "replace", f"{SP}\n{ROW}113.944,22.533,火星\n", [
        "[错误] bad_crs.csv 第2行 J列（坐标系）“火星”：未知坐标系 → 请填写 WGS84、GCJ02（高德/腾讯）或 BD09（百度）"]),
    ("duplicate_in_file", "service_points", "replace",
     f"{SP}\n{OK_SP}\n示例点 ,儿童之家,南山区,粤海街道,科技园社区,示例路１号,0755-00000000,113.944,22.533,WGS84\n", [
         "[错误] duplicate_in_file.csv 第3行 A列（名称）“示例点”：与第2行重复 → 请删除重复行"]),
    ("duplicate_existing", "service_points", "append",
     f"{SP}\n罗湖区未成年人救助保护中心,rescue_centre,罗湖区,南湖街道,,深圳市罗湖区南湖街道示例路258号,,114.101751,22.554266,\n", [
         "[错误] duplicate_existing.csv 第2行 A列（名称）“罗湖区未成年人救助保护中心”：数据库中已有相同记录 → "
         "追加模式不接受重复记录：请删除该行，或改用替换模式"]),
    ("bad_role_status", "workers", "replace", f"{W}\n,督导,张示例,,南山区,粤海街道,,在编,,,\n", [
        "[错误] bad_role_status.csv 第2行 B列（角色）“督导”：角色只能是“儿童督导员”或“儿童主任” → 请改为 儿童督导员 或 儿童主任",
        "[错误] bad_role_status.csv 第2行 H列（状态）“在编”：状态只能是“在岗”或“空缺” → 请改为 在岗 或 空缺"]),
    ("worker_rules", "workers", "replace", f"{W}\n,儿童主任,,,南山区,粤海街道,,在岗,2020-02-30,-3,\n", [
        "[错误] worker_rules.csv 第2行 C列（姓名）“”：在岗人员须填写姓名 → 请填写姓名，或把状态改为 空缺",
        "[错误] worker_rules.csv 第2行 G列（所属社区）“”：儿童主任须填写所属社区 → 请填写所属社区",
        "[错误] worker_rules.csv 第2行 I列（任职日期）“2020-02-30”：不是有效日期 → 请写作 2020-05-01",
        "[错误] worker_rules.csv 第2行 J列（培训学时）“-3”：应为不小于 0 的整数 → 请只填写数字，例如 24"]),
    ("end_before_start", "projects", "replace",
     f"{P}\n,ORG01,示例项目,亲子关系促进,儿童家庭,南山区,2021-01-01,2020-12-31,十万,2\n", [
         "[错误] end_before_start.csv 第2行 H列（结束日期）“2020-12-31”：结束日期早于开始日期 → 请核对开始和结束日期",
         "[错误] end_before_start.csv 第2行 I列（资金（万元））“十万”：应为不小于 0 的数字 → 请只填写数字（单位：万元），例如 35.5"]),
    ("project_unknown", "sites", "replace", f"{S}\n,P99999,示例项目点,南山区,粤海街道,,113.944,22.533,\n", [
        "[错误] project_unknown.csv 第2行 B列（项目编号）“P99999”：数据库中没有这个项目 → 请填写已导入项目的项目编号，或先导入项目表"]),
    ("duplicate_id", "sites", "append",
     f"{S}\nS00001,P00001,示例项目点甲,南山区,粤海街道,,,,\nS90001,P00001,示例项目点乙,南山区,粤海街道,,,,\n"
     "S90001,P00001,示例项目点丙,南山区,粤海街道,,,,\n", [
         "[错误] duplicate_id.csv 第2行 A列（项目点编号）“S00001”：数据库中已有此编号 → 追加模式请使用新编号或留空",
         "[错误] duplicate_id.csv 第4行 A列（项目点编号）“S90001”：编号与第3行重复 → 每行编号须唯一，可留空由系统生成"]),
]


@pytest.fixture(scope="module")
def ref_con(tmp_path_factory):
    """A demo database of this module's own (read-only here): reference places, categories, existing rows."""
    path = tmp_path_factory.mktemp("ingest") / "caremap.duckdb"
    build.build(path)
    con = duckdb.connect(str(path), read_only=True)
    yield con
    con.close()


@pytest.mark.parametrize("case, kind, mode, text, expected", CORPUS, ids=[c[0] for c in CORPUS])
def test_each_bad_file_gets_the_exact_report_lines_and_is_refused(ref_con, case, kind, mode, text, expected):
    checked = ingest.check(text.encode("utf-8"), f"{case}.csv", kind, ref_con, mode=mode)
    assert ingest.report_lines(checked) == expected
    assert not checked.ok


def test_report_lines_speak_english(ref_con):
    checked = ingest.check(f"{SP}\n{ROW}114.06,22.54,\n".encode(), "x.csv", "service_points", ref_con)
    assert ingest.report_lines(checked, "en") == [
        '[error] x.csv row 2 column H (经度) "114.06": the point (114.060000, 22.540000) lies in 福田区, not in the '
        "stated 南山区 → check the coordinates, their system or the district"]


# ------------------------------------------------------------------ a clean file in every encoding and format

TITLE = ["深圳市儿童关爱服务点统计表（示例）"]
HEADER = [" 名称 ", "category", "区", "街道 ", "社区", "address", "电话", "lng", "lat", "坐标系", "更新日期"]
GCJ = crs.convert(113.935, 22.52, "WGS84", "GCJ02")
BD = crs.convert(113.935, 22.52, "WGS84", "BD09")
CLEAN = [  # names, places and numbers written the ways people write them
    ["示例·南山儿童之家", "儿童之家", "南山", "南山街道办事处", "南光社区", "南山区示例路１号", "０７５５－８６００００００",
     113.925, 22.515, "WGS84", dt.date(2024, 3, 1)],
    ["示例·粤海工作站", "workstation", "南山区", "粤海街道办", "", "南山区示例路2号", "86000001、13800000000",
     22.533, 113.944, "", dt.date(2024, 3, 2)],
    [],
    ["示例·高德坐标点", "Children's home", "440305", "粤海", "科技园", "南山区示例路3号", "", GCJ[0], GCJ[1], "GCJ02",
     dt.date(2024, 3, 3)],
    ["示例·百度坐标点", "儿童之家", "深圳市南山区", "粤海街道", "科技园社区居委会", "南山区示例路4号", "", BD[0], BD[1], "百度",
     dt.date(2024, 3, 4)],
]
NOTE = ["注：本表为示例，数据截至2024年3月。"]


def _text_rows(rows):
    return [[ingest.cell_text(v) if not isinstance(v, float) else f"{v:.9f}".rstrip("0") for v in r] for r in rows]


def _csv(rows, encoding) -> bytes:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(_text_rows(rows))
    return buf.getvalue().encode(encoding)


def _xlsx(rows) -> bytes:
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _xls(rows) -> bytes:
    xlwt = pytest.importorskip("xlwt")  # requirements-dev.txt pins it; xlrd reads, only xlwt writes .xls
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("数据")
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for i, r in enumerate(rows):
        for j, v in enumerate(r):
            if isinstance(v, dt.date):
                sheet.write(i, j, dt.datetime(v.year, v.month, v.day), date_style)
            else:
                sheet.write(i, j, v)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ALL_ROWS = [TITLE, [], HEADER, *CLEAN, [], NOTE, ["填表人：某示例"]]
FILES = {
    "utf-8.csv": lambda: _csv(ALL_ROWS, "utf-8"),
    "utf-8-bom.csv": lambda: _csv(ALL_ROWS, "utf-8-sig"),
    "gb18030.csv": lambda: _csv(ALL_ROWS, "gb18030"),
    "excel.xlsx": lambda: _xlsx(ALL_ROWS),
    "excel97.xls": lambda: _xls(ALL_ROWS),
}


@pytest.fixture(scope="module")
def clean_tables(ref_con):
    return {name: ingest.check(make(), name, "service_points", ref_con) for name, make in FILES.items()}


def test_a_clean_file_in_each_encoding_and_format_gives_identical_tables(clean_tables):
    reference = clean_tables["utf-8.csv"]
    assert reference.ok and reference.data_rows == 4
    for name, checked in clean_tables.items():
        assert checked.ok, (name, ingest.report_lines(checked))
        pd.testing.assert_frame_equal(checked.rows, reference.rows, check_dtype=False, obj=name)
        assert ingest.report_lines(checked) == [line.replace("utf-8.csv", name) for line in
                                                ingest.report_lines(reference)]


def test_the_clean_file_is_normalised(clean_tables):
    rows = clean_tables["utf-8.csv"].rows.set_index("name")
    assert rows["district_code"].tolist() == ["440305"] * 4
    assert rows["street_code"].tolist() == ["440305002", "440305007", "440305007", "440305007"]
    assert rows["community_code"].tolist() == ["440305002003", None, "440305007003", "440305007003"]
    assert rows["category"].tolist() == ["children_home", "workstation", "children_home", "children_home"]
    assert rows.loc["示例·南山儿童之家", "phone"] == "0755-86000000"              # full-width digits and dash
    assert rows.loc["示例·南山儿童之家", "address"] == "南山区示例路1号"
    assert rows.loc["示例·粤海工作站", "phone"] == "0755-86000001、13800000000"  # area code added, two numbers
    assert (rows.loc["示例·粤海工作站", "lon"], rows.loc["示例·粤海工作站", "lat"]) == (113.944, 22.533)  # swapped back
    for name, system in (("示例·高德坐标点", "GCJ02"), ("示例·百度坐标点", "BD09")):   # converted to WGS-84
        assert rows.loc[name, "source_crs"] == system
        assert rows.loc[name, "lon"] == pytest.approx(113.935, abs=2e-6)
        assert rows.loc[name, "lat"] == pytest.approx(22.52, abs=2e-6)
    assert rows["updated_on"].tolist() == ["2024-03-01", "2024-03-02", "2024-03-03", "2024-03-04"]
    assert rows.index.tolist() == ["示例·南山儿童之家", "示例·粤海工作站", "示例·高德坐标点", "示例·百度坐标点"]
    assert rows["id"].tolist() == ["SP0001514", "SP0001515", "SP0001516", "SP0001517"]  # after the 1,513 on record


def test_the_clean_file_reports_the_fixes_it_made_as_warnings(clean_tables):
    assert ingest.report_lines(clean_tables["utf-8.csv"]) == [
        "[警告] utf-8.csv 第5行 G列（电话）“86000001、13800000000”：座机号缺区号，已按深圳补为 0755-86000001、13800000000 → "
        "如非深圳号码请填写区号",
        "[警告] utf-8.csv 第5行 I列（lat）“113.944”：经度和纬度填反了，已自动对调 → 请核对并在文件中对调两列",
    ]


def test_crs_option_applies_when_the_file_has_no_crs_column(ref_con):
    text = f"{SP.rsplit(',', 1)[0]}\n{ROW}{GCJ[0]:.9f},{GCJ[1]:.9f}\n".encode()
    as_wgs = ingest.check(text, "x.csv", "service_points", ref_con)
    as_gcj = ingest.check(text, "x.csv", "service_points", ref_con, crs="GCJ02")
    assert as_wgs.rows.loc[0, "lon"] == round(GCJ[0], 6)
    assert as_gcj.rows.loc[0, "lon"] == pytest.approx(113.935, abs=2e-6)
    assert as_gcj.rows.loc[0, "source_crs"] == "GCJ02"


def test_streets_of_dapeng_given_under_longgang_are_accepted_with_a_warning(ref_con):
    text = f"{SP}\n示例点,儿童之家,龙岗区,葵涌街道,,示例路1号,,114.43,22.63,\n".encode()
    checked = ingest.check(text, "x.csv", "service_points", ref_con)
    assert checked.ok
    assert checked.rows.loc[0, "district_code"] == "4403DP"
    assert [p.code for p in checked.warnings] == ["dapeng"]


# ------------------------------------------------------------------ files that cannot be read at all

def _zip_bomb() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 2**20))  # 40 MB of zeros in ~40 KB
    return out.getvalue()


@pytest.mark.parametrize("name, data, message", [
    ("binary.csv", b"\x00\x01\x02garbage", "文件不是文本表格，也不是 Excel 文件"),
    ("latin.csv", "名称".encode("gb18030") + b"\x80\xff\xfe", "无法识别文件编码"),
    ("broken.xlsx", b"PK\x03\x04 not really a zip", "Excel 文件已损坏或不是 XLSX 格式"),
    ("broken.xls", b"\xd0\xcf\x11\xe0 not an OLE file", "旧版 Excel（XLS）文件已损坏或无法读取"),
    ("text.xlsx", "名称,类别\n".encode(), "Excel 文件已损坏或不是 XLSX 格式"),
    ("macro.xlsm", b"PK\x03\x04", "不接受含宏的工作簿（.xlsm）"),
    ("bomb.xlsx", None, "XLSX 解压后过大"),
    ("huge.csv", b"a" * (ingest.MAX_FILE_BYTES + 1), "文件超过 20 MB 上限"),
])
def test_unreadable_files_are_refused_before_parsing(ref_con, name, data, message):
    with pytest.raises(ingest.Unreadable, match=message):
        ingest.check(_zip_bomb() if data is None else data, name, "service_points", ref_con)


# ------------------------------------------------------------------ small parts

@pytest.mark.parametrize("text, expected", [
    ("13912345678", "13912345678"), ("+86 139 1234 5678", "13912345678"), ("0755-86000000", "0755-86000000"),
    ("(0755)8600 0000", "0755-86000000"), ("020-12345678", "020-12345678"), ("12355", "12355"),
    ("400-123-4567", "400-123-4567"), ("75586000000", "0755-86000000"),  # Excel dropped the 0 of 0755
    ("1391234567", None), ("0755-123", None), ("电话", None),
])
def test_phone_numbers(text, expected):
    assert ingest.parse_phone(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    ("2020-05-01", "2020-05-01"), ("2020/5/1", "2020-05-01"), ("2020年5月1日", "2020-05-01"),
    ("2020.05.01", "2020-05-01"), ("20200501", "2020-05-01"), ("２０２０－０５－０１", "2020-05-01"),
    ("43952", "2020-05-01"), ("2020-13-01", None), ("去年", None),
])
def test_dates(text, expected):
    assert dates.iso_date(text) == expected


def test_problem_cells_are_highlighted_in_the_preview(ref_con):
    text = f"{SP}\n{OK_SP}\n示例点二,儿童乐园,南山区,粤海街道,,示例路9号,86000002,113.944,22.533,\n".encode()
    checked = ingest.check(text, "x.csv", "service_points", ref_con)
    styles = checked.preview.pipe(lambda f: ingest.styled_preview(checked)).to_html()
    assert checked.preview.index.tolist() == [2, 3]
    assert styles.count("background-color: #f8d7da") == 1   # 类别 of row 3: the error
    assert styles.count("background-color: #fff3cd") == 1   # 联系电话 of row 3: area code added
    table = ingest.problems_table(checked)
    assert table["行号"].tolist() == [3, 3] and table["列"].tolist() == ["B", "G"]


@pytest.mark.parametrize("kind", ingest.TABLE_KINDS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_every_template_passes_its_own_check(ref_con, kind, fmt):
    checked = ingest.check(ingest.template_bytes(kind, fmt), f"{kind}.{fmt}", kind, ref_con)
    assert checked.ok and checked.data_rows == 1, ingest.report_lines(checked)
    header = ingest.read_rows(ingest.template_bytes(kind, fmt), f"t.{fmt}")[0][1]
    assert header == [f.names[0] + ("*" if f.required else "") for f in ingest.FIELDS[kind]]


def test_xlsx_row_and_column_numbers_are_the_ones_excel_shows(ref_con):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws["B2"] = "服务点名单"
    for i, v in enumerate(SP.split(",")):
        ws.cell(row=4, column=2 + i, value=v)
    for i, v in enumerate(["示例点", "儿童乐园", "南山区", "粤海街道", None, "示例路1号", 75586000000, 113.944, 22.533]):
        ws.cell(row=6, column=2 + i, value=v)
    out = io.BytesIO()
    wb.save(out)
    checked = ingest.check(out.getvalue(), "名单.xlsx", "service_points", ref_con)
    assert [(p.row, p.column, p.header, p.value, p.code) for p in checked.problems] == [
        (6, "C", "类别", "儿童乐园", "category_unknown"), (6, "H", "联系电话", "75586000000", "phone_area_added")]
