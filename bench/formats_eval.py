"""Score the dev set read from HTML, DOCX and PDF copies of its text files, beside the text itself (issue 9).

Each dev document (its `# source:` lines stripped, as `../shared/eval/run` does) is rendered the way an office
publishes it: an HTML page (navigation and footer around the article; "|" rows become a real <table>; lines with
space runs keep them with white-space: pre-wrap), a DOCX (python-docx: a paragraph per line, Word tables), and a PDF
printed from that page by Chromium. Every set is built with `policykg build` and scored by the shared scorer with
the same gold (document names given the new extension).

    .venv/bin/python bench/formats_eval.py [--dev ../shared/eval/dev] [--work /tmp/policykg-formats] [--formats …]
"""

from __future__ import annotations

import argparse
import html
import json
import re
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "tools"))
from make_format_fixtures import print_pdf

ROOT = Path(__file__).resolve().parents[1]
SOURCE_LINE = re.compile(r"^# (?:source|retrieved-by-query):")


def blocks(text: str) -> list[tuple[str, object]]:
    """("line", text) and ("table", rows) in order: consecutive lines with two or more "|" cells are a table."""
    out: list[tuple[str, object]] = []
    for line in text.split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.count("|") >= 2 and len(cells) >= 2:
            if out and out[-1][0] == "table":
                out[-1][1].append(cells)  # type: ignore[attr-defined]
            else:
                out.append(("table", [cells]))
        else:
            out.append(("line", line))
    return out


def to_html(text: str, *, noise: bool = True) -> str:
    e = html.escape
    body = []
    for kind, value in blocks(text):
        if kind == "line":
            line = str(value)
            if not line.strip():
                continue
            style = ' style="white-space:pre-wrap"' if "  " in line.strip() or "\t" in line else ""
            body.append(f"<p{style}>{e(line.strip())}</p>")
        else:
            rows = value  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            body.append('<table border="1" cellspacing="0">' + "".join(
                "<tr>" + "".join(f"<td>{e(c)}</td>" for c in r + [""] * (width - len(r))) + "</tr>" for r in rows)
                + "</table>")
    nav = ("<div class='nav'><a href='#'>首页</a> <a href='#'>政务公开</a></div>"
           "<div class='crumb'>当前位置：首页 &gt; 政策文件</div>") if noise else ""
    footer = "<div id='footer'>主办单位：人民政府办公室 网站地图 联系我们</div>" if noise else ""
    style = ("body{font-family:'Noto Sans CJK SC',sans-serif;font-size:14px} p{margin:0 0 6px 0}"
             " table{border-collapse:collapse} td{border:1px solid #000;padding:3px}")
    return (f"<!DOCTYPE html><html><head><meta charset='utf-8'><style>{style}</style></head><body>{nav}"
            f"<div id='UCAP-CONTENT'>{''.join(body)}</div>{footer}</body></html>")


def to_docx(text: str, out: Path) -> None:
    import docx

    document = docx.Document()
    for kind, value in blocks(text):
        if kind == "line":
            if str(value).strip():
                document.add_paragraph(str(value).strip())
        else:
            rows = value  # type: ignore[assignment]
            width = max(len(r) for r in rows)
            table = document.add_table(rows=len(rows), cols=width)
            for r, row in enumerate(rows):
                for c, cell in enumerate(row):
                    table.cell(r, c).text = cell
    document.save(str(out))


def convert(dev: Path, work: Path, fmt: str) -> Path:
    """SETDIR for one format: docs/ converted, gold.json with the documents' new names."""
    target = work / fmt
    docs = target / "docs"
    docs.mkdir(parents=True, exist_ok=True)
    for path in sorted((dev / "docs").glob("*.txt")):
        text = "\n".join(line for line in path.read_text("utf-8").split("\n") if not SOURCE_LINE.match(line))
        name = path.stem + "." + fmt
        if fmt == "txt":
            (docs / name).write_text(text, "utf-8")
        elif fmt == "html":
            (docs / name).write_text(to_html(text), "utf-8")
        elif fmt == "docx":
            to_docx(text, docs / name)
        elif fmt == "pdf":
            print_pdf(to_html(text, noise=False), docs / name, header_footer=False)
    gold = json.loads((dev / "gold.json").read_text("utf-8"))
    for record in gold:
        record["doc"] = Path(record["doc"]).stem + "." + fmt
    (target / "gold.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
    return target


def score(setdir: Path, scorer: Path) -> str:
    """Build the set, query like ../shared/eval/run, and return the scorer's summary line."""
    pk = ROOT / ".venv" / "bin" / "policykg"
    out = setdir / "out"
    subprocess.run([str(pk), "build", "--corpus", str(setdir / "docs"), "--out", str(out)],
                   capture_output=True, text=True)
    pred = {}
    for query in ("tasks", "responsibilities", "targets"):
        result = subprocess.run([str(pk), "query", query, "--format", "json", "--out", str(out)],
                                capture_output=True, text=True, check=True)
        pred[query] = json.loads(result.stdout)
    (setdir / "pred.json").write_text(json.dumps(pred, ensure_ascii=False), "utf-8")
    result = subprocess.run([sys.executable, str(scorer), str(setdir / "gold.json"), str(setdir / "pred.json")],
                            capture_output=True, text=True, check=True)
    (setdir / "score.txt").write_text(result.stdout, "utf-8")
    return result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "dev")
    parser.add_argument("--work", type=Path, default=Path("/tmp/policykg-formats"))
    parser.add_argument("--formats", default="txt,html,docx,pdf")
    args = parser.parse_args()
    scorer = args.dev.parent / "score.py"
    for fmt in args.formats.split(","):
        setdir = convert(args.dev, args.work, fmt)
        print(f"{fmt}\t{score(setdir, scorer)}", flush=True)


if __name__ == "__main__":
    main()
