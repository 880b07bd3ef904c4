"""Render one policy document in every format offices publish, with the real tools: python-docx (merged cells,
automatic 一、/（一） numbering), Chromium print-to-PDF (running header and footer, a table crossing a page break),
a gov.cn-like HTML page (navigation, share bar, footer, 索引号/发文字号 table, rowspan), openpyxl (merged cells),
GB18030 / UTF-16 / Big5 text, CSV, and .doc through LibreOffice when it is installed.

    python tests/tools/make_format_fixtures.py OUTDIR     (tests call `make_all`)
"""

from __future__ import annotations

import html
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TITLE = "洛阳市人民政府办公室关于印发洛阳市养老服务提升行动实施方案的通知"
NUMBER = "洛政办〔2024〕12号"
HEAD = [
    "各县（市、区）人民政府，市人民政府各部门：",
    "现将《洛阳市养老服务提升行动实施方案》印发给你们，请认真贯彻执行。",
    "洛阳市人民政府办公室",
    "2024年3月15日",
    "洛阳市养老服务提升行动实施方案",
]
SECTIONS = [
    ("主要任务", [
        ("完善居家养老服务。", "到2025年，社区养老服务设施覆盖率达到90%以上。（责任单位：市民政局、市财政局）"),
        ("提升医养结合水平。",
         "二级以上综合医院设立老年医学科的比例不低于60%。（牵头单位：市卫生健康委；配合单位：市医保局）"),
        ("加强人才队伍建设。", "每年培训养老护理员2000人次。（责任单位：市人力资源社会保障局、市民政局）"),
    ]),
]
TABLE_TITLE = "重点项目分工"
HEADER = ["序号", "项目内容", "牵头单位", "配合单位", "完成时限"]
#: rows; None in the lead column = merged with the row above
ROWS = [
    ["1", "新建街道综合养老服务中心10个", "市民政局", "市住房城乡建设局", "2024年12月底"],
    ["2", "改造提升特困人员供养服务设施5所", None, "市财政局", "2024年12月底"],
    ["3", "建设家庭养老床位1000张", None, "市财政局", "2024年11月底"],
    ["4", "为1万名失能老年人提供居家上门服务", "市卫生健康委", "市民政局", "2024年12月底"],
    ["5", "新增普惠托育托位800个", "市卫生健康委", "市发展改革委", "2024年10月底"],
    ["6", "建成老年助餐点50个", "市民政局", "市商务局", "2024年9月底"],
    ["7", "开展老年人防诈骗宣传活动100场", "市公安局", "市委宣传部", "2024年12月底"],
    ["8", "完成适老化改造困难老年人家庭1500户", "市民政局", "市残联", "2024年12月底"],
]
ORDINALS = "一二三四五六七八九十"


def text_lines() -> list[str]:
    """The document as plain text, the way a .txt copy of it reads (a pipe table for the 分工表)."""
    lines = [TITLE, NUMBER, *HEAD]
    for n, (heading, items) in enumerate(SECTIONS):
        lines.append(f"{ORDINALS[n]}、{heading}")
        lines.extend(f"（{ORDINALS[k]}）{title}{body}" for k, (title, body) in enumerate(items))
    lines.append(f"{ORDINALS[len(SECTIONS)]}、{TABLE_TITLE}")
    lines.append("| " + " | ".join(HEADER) + " |")
    for row in ROWS:  # a merged 牵头单位 cell flattened to blanks, as text copies of tables have it
        lines.append("| " + " | ".join(c if c is not None else "" for c in row) + " |")
    return lines


def write_text(folder: Path) -> list[Path]:
    text = "\n".join(text_lines()) + "\n"
    out = []
    for name, encoding in (("utf8", "utf-8"), ("utf8bom", "utf-8-sig"), ("gb18030", "gb18030"),
                           ("utf16le", "utf-16-le"), ("utf16be", "utf-16-be"), ("utf16bom", "utf-16")):
        path = folder / f"notice_{name}.txt"
        path.write_bytes(text.encode(encoding))
        out.append(path)
    return out


def write_big5(folder: Path) -> Path:
    """The document in traditional characters saved as Big5 (how a Taiwan or Hong Kong office would)."""
    import opencc

    text = opencc.OpenCC("s2t").convert("\n".join(text_lines()) + "\n")
    path = folder / "notice_big5.txt"
    path.write_bytes(text.encode("big5", "replace"))
    return path


def page_html(*, noise: bool = True, tall_rows: bool = False) -> str:
    """A gov.cn-like article page: breadcrumb and navigation, a 索引号/发文字号 table, the article with a rowspan
    table, a share bar and a footer."""
    e = html.escape
    body = [f"<p>{e(line)}</p>" for line in [NUMBER, *HEAD]]
    for n, (heading, items) in enumerate(SECTIONS):
        body.append(f"<p><strong>{ORDINALS[n]}、{e(heading)}</strong></p>")
        body.extend(f"<p>（{ORDINALS[k]}）{e(t)}{e(b)}</p>" for k, (t, b) in enumerate(items))
    body.append(f"<p><strong>{ORDINALS[len(SECTIONS)]}、{e(TABLE_TITLE)}</strong></p>")
    rows = []
    spans = _lead_spans()
    for i, row in enumerate(ROWS):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                continue
            span = f' rowspan="{spans[i]}"' if c == 2 and spans.get(i, 1) > 1 else ""
            cells.append(f"<td{span}>{e(value)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    head = "<tr>" + "".join(f"<th>{e(h)}</th>" for h in HEADER) + "</tr>"
    body.append(f'<table border="1" cellspacing="0"><thead>{head}</thead><tbody>{"".join(rows)}</tbody></table>')
    style = ("body{font-family:'Noto Sans CJK SC',sans-serif;font-size:15px} table{border-collapse:collapse;width:100%}"
             "td,th{border:1px solid #000;padding:4px} tr{break-inside:avoid}")
    if tall_rows:
        style += " td{height:105px}"
    meta_table = ("<table class='bd1'><tr><td>索 引 号：</td><td>11410300MB1234567X/2024-00012</td>"
                  "<td>主题分类：</td><td>民政、扶贫、救灾</td></tr>"
                  f"<tr><td>发文机关：</td><td>洛阳市人民政府办公室</td><td>成文日期：</td><td>2024年03月15日</td></tr>"
                  f"<tr><td>发文字号：</td><td>{e(NUMBER)}</td><td>发布日期：</td><td>2024年03月18日</td></tr></table>")
    nav = ("<div class='header'><div class='nav'><a href='#'>首页</a> <a href='#'>政务公开</a> <a href='#'>政务服务</a>"
           "</div><div class='crumb'>当前位置：首页 &gt; 政务公开 &gt; 政策文件</div></div>") if noise else ""
    share = ("<div class='bdsharebuttonbox'>分享到：微信 微博 QQ空间</div><div class='fontsize'>【字体：大 中 小】"
             "</div>") if noise else ""
    footer = ("<div id='footer'>主办：洛阳市人民政府办公室 联系我们 网站地图 豫ICP备12345678号</div>") if noise else ""
    metas = meta_table if noise else ""
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{e(TITLE)}</title>"
            f"<meta name='ArticleTitle' content='{e(TITLE)}'><style>{style}</style></head><body>{nav}{metas}"
            f"<h1>{e(TITLE)}</h1><div id='UCAP-CONTENT'>{''.join(body)}</div>{share}{footer}</body></html>")


def _lead_spans() -> dict[int, int]:
    spans: dict[int, int] = {}
    start = 0
    for i, row in enumerate(ROWS):
        if row[2] is not None:
            start = i
            spans[i] = 1
        else:
            spans[start] += 1
    return spans


def write_html(folder: Path) -> list[Path]:
    utf8 = folder / "notice.html"
    utf8.write_text(page_html(), "utf-8")
    gbk = folder / "notice_gbk.htm"
    gbk.write_bytes(page_html().replace("charset='utf-8'", "charset='gb2312'").encode("gb18030"))
    return [utf8, gbk]


def write_docx(folder: Path) -> Path:
    """python-docx, with Word's own list numbering (一、 and （一）, from numbering.xml) and a vertically merged
    牵头单位 cell; a page header and footer that must not be read."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.sections[0].header.paragraphs[0].text = "洛阳市人民政府办公室文件"
    document.sections[0].footer.paragraphs[0].text = "— 1 —"
    numbering = document.part.numbering_part.element
    numbering.append(parse_xml(
        f'<w:abstractNum {nsdecls("w")} w:abstractNumId="90">'
        '<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="%1、"/></w:lvl>'
        '<w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl>'
        "</w:abstractNum>"))
    numbering.append(parse_xml(f'<w:num {nsdecls("w")} w:numId="90"><w:abstractNumId w:val="90"/></w:num>'))

    def numbered(text: str, level: int) -> None:
        paragraph = document.add_paragraph(text)
        paragraph._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'))

    document.add_paragraph(TITLE)
    document.add_paragraph(NUMBER)
    for line in HEAD:
        document.add_paragraph(line)
    for heading, items in SECTIONS:
        numbered(heading, 0)
        for title, body in items:
            numbered(title + body, 1)
    numbered(TABLE_TITLE, 0)
    table = document.add_table(rows=len(ROWS) + 1, cols=len(HEADER))
    for c, label in enumerate(HEADER):
        table.cell(0, c).text = label
    spans = _lead_spans()
    for i, row in enumerate(ROWS, start=1):
        for c, value in enumerate(row):
            if value is not None:
                table.cell(i, c).text = value
    for i, span in spans.items():
        if span > 1:
            table.cell(i + 1, 2).merge(table.cell(i + span, 2))
    path = folder / "notice.docx"
    document.save(str(path))
    return path


def chromium() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


def print_pdf(html_text: str, out: Path, *, header_footer: bool = True) -> None:
    """Chromium headless print-to-PDF of an HTML page (the renderer offices' 'save as PDF' uses)."""
    binary = chromium()
    if binary is None:
        raise RuntimeError("chromium is not installed")
    with tempfile.TemporaryDirectory(prefix="policykg-pdf-") as tmp:
        page = Path(tmp) / "page.html"
        page.write_text(html_text, "utf-8")
        args = [binary, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
                f"--user-data-dir={tmp}/profile", f"--print-to-pdf={out}"]
        if not header_footer:
            args.append("--no-pdf-header-footer")
        subprocess.run([*args, page.as_uri()], check=True, capture_output=True, timeout=120)


def write_pdf(folder: Path) -> Path:
    """Tall table rows push the 分工表 across a page break; Chromium's running header (date, title) and footer
    (file URL, page x/y) are on every page."""
    path = folder / "notice.pdf"
    print_pdf(page_html(noise=False, tall_rows=True), path)
    return path


def write_xlsx(folder: Path) -> Path:
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "重点项目分工"
    ws.append([f"{TITLE}（附件）", None, None, None, None])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    ws.append(HEADER)
    for row in ROWS:
        ws.append([int(row[0]), *row[1:]])
    for i, span in _lead_spans().items():
        if span > 1:
            ws.merge_cells(start_row=i + 3, start_column=3, end_row=i + 2 + span, end_column=3)
    path = folder / "notice.xlsx"
    book.save(str(path))
    return path


def write_csv(folder: Path) -> Path:
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    lead = ""
    for row in ROWS:
        lead = row[2] or lead
        writer.writerow([row[0], row[1], lead, *row[3:]])
    path = folder / "notice.csv"
    path.write_bytes(buffer.getvalue().encode("gb18030"))  # Excel in a Chinese locale saves CSV as GBK
    return path


def write_doc(folder: Path, docx_path: Path) -> Path | None:
    """.doc through LibreOffice (Word 97 format), when soffice is installed."""
    binary = shutil.which("soffice")
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="policykg-doc-") as tmp:
        subprocess.run([binary, f"-env:UserInstallation={Path(tmp, 'profile').as_uri()}", "--headless",
                        "--convert-to", "doc", "--outdir", tmp, str(docx_path)], check=True, capture_output=True,
                       timeout=180)
        out = folder / "notice.doc"
        shutil.copy(Path(tmp) / "notice.doc", out)
    return out


def make_all(folder: Path, *, pdf: bool = True, doc: bool = True) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made: dict[str, Path] = {p.stem.removeprefix("notice_"): p for p in write_text(folder)}
    made["big5"] = write_big5(folder)
    html_paths = write_html(folder)
    made["html"], made["html_gbk"] = html_paths
    made["docx"] = write_docx(folder)
    made["xlsx"] = write_xlsx(folder)
    made["csv"] = write_csv(folder)
    if pdf and chromium():
        made["pdf"] = write_pdf(folder)
    if doc:
        doc_path = write_doc(folder, made["docx"])
        if doc_path is not None:
            made["doc"] = doc_path
    return made


if __name__ == "__main__":
    for name, path in make_all(Path(sys.argv[1])).items():
        print(f"{name}\t{path}")
