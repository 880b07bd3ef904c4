"""Cross-document answers from the graph: what a document has not taken up (gaps) and what changed from a draft to
its final text (diff), as Chinese tables, JSON and an offline HTML page.

Everything is read with named queries, so the answers come the same from the embedded store and any endpoint.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources

from rdflib import Graph
from rdflib.namespace import SKOS

from policykg.coordinate import Answer, CoordinateError
from policykg.forms import simplify
from policykg.graph.diff import DiffResult, Item, diff_items, heading
from policykg.graph.emit import CODE
from policykg.graph.links import LinkRules, load_link_rules
from policykg.graph.store import GraphStore
from policykg.query import load_queries, run_named

GAP_COLUMNS = ["文件", "上级条目", "未承接举措", "最接近的本文件表述", "相似度", "来源文件"]
DIFF_COLUMNS = ["变化", "征求意见稿", "正式文本", "改动", "相似度"]


@cache
def code_labels(scheme: str, lang: str = "zh") -> dict[str, str]:
    """notation → label of one code list of ontology/codes.ttl (UI labels are read, not retyped)."""
    graph = Graph()
    graph.parse(data=resources.files("policykg.ontology").joinpath("codes.ttl").read_text("utf-8"), format="turtle")
    found: dict[str, str] = {}
    for concept in graph.subjects(SKOS.inScheme, CODE[scheme]):
        notation = graph.value(concept, SKOS.notation)
        label = next((str(x) for x in graph.objects(concept, SKOS.prefLabel) if getattr(x, "language", "") == lang),
                     None)
        if notation is not None and label is not None:
            found[str(notation)] = label
    return found


_NATIONAL = "/doc/100000/"


@dataclass(frozen=True)
class DocumentRef:
    """A document as users name it: a title alone is ambiguous (the national text and a city's share it)."""

    iri: str
    title: str
    number: str
    source_file: str
    status: str = "final"
    place: str = ""

    @property
    def is_report(self) -> bool:
        return self.status == "report"

    @property
    def display(self) -> str:
        """景德镇市《关于推进基本养老服务体系建设的实施意见》（征求意见稿）; a news report keeps its headline."""
        labels = code_labels("status")
        if self.is_report:
            return f"{self.title}（{labels['report']}）"
        place = "" if _NATIONAL in self.iri or self.title.startswith(self.place) else self.place
        status = f"（{labels['draft']}）" if self.status == "draft" else ""
        number = f"（{self.number}）" if self.number else ""
        return f"{place}《{self.title}》{status}{number}"


def documents_by_iri(store: GraphStore) -> dict[str, DocumentRef]:
    """Every document and report of the graph."""
    table = run_named(store, load_queries()["documents"])
    docs = [DocumentRef(r["doc"] or "", r["document_title"] or "", r["document_number"] or "", r["source_file"] or "",
                        r["status"] or "final", r["place"] or "")
            for r in (dict(zip(table.columns, row, strict=True)) for row in table.rows)]
    return {d.iri: d for d in docs}


def document_of(task: str, docs: Mapping[str, DocumentRef]) -> DocumentRef | None:
    """The document a task or section IRI belongs to ({doc}/part/{path})."""
    head = task.split("/part/", 1)[0]
    return docs.get(head)


def matching_documents(store: GraphStore, text: str) -> list[DocumentRef]:
    """The documents a user may mean by 文号, file name or a part of its title: exact matches first."""
    docs = list(documents_by_iri(store).values())
    wanted = simplify(text.strip())
    exact = [d for d in docs if wanted in (simplify(d.number), simplify(d.source_file),
                                           simplify(d.source_file.rsplit(".", 1)[0]), simplify(d.title))]
    return exact or [d for d in docs if wanted and (wanted in simplify(d.display) or wanted in simplify(d.number))]


def one_document(text: str, found: list[DocumentRef]) -> DocumentRef:
    """The single match, or a message that says how to name the document better."""
    if len(found) == 1:
        return found[0]
    if not found:
        raise CoordinateError(f"没有找到文件“{text}”：请用文号、文件名或标题中的一段")
    names = "；".join(d.display for d in found[:5])
    raise CoordinateError(f"“{text}”对应多个文件：{names}。请给出文号或更长的标题")


def find_document(store: GraphStore, text: str) -> DocumentRef:
    """The one document a user names by 文号, file name or a part of its title."""
    return one_document(text, matching_documents(store, text))


# --- gaps -----------------------------------------------------------------------------------------------------


def gaps(store: GraphStore, document: str | None) -> Answer:
    """The measures of the higher document that `document` applies and does not take up, with the nearest quote;
    with `document` None, the gaps of every document."""
    doc = find_document(store, document) if document is not None else None
    table = run_named(store, load_queries()["gaps"], {"doc": (doc.number or doc.title) if doc else ""})
    answer = Answer(GAP_COLUMNS, table_columns=GAP_COLUMNS[:5])
    for row in (dict(zip(table.columns, r, strict=True)) for r in table.rows):
        if doc is not None and row["source_file"] != doc.source_file:
            continue
        answer.add({
            "文件": doc.display if doc else row["document_title"] or "",
            "上级条目": f"（{row['national_item_number']}）{row['national_item_title']}",
            "未承接举措": row["measure"] or "",
            "最接近的本文件表述": row["nearest"] or "",
            "相似度": f"{float(row['score'] or 0):.2f}",
            "来源文件": row["source_file"] or "",
        })
    if not answer.rows and doc is not None:
        answer.notes.append(f"{doc.display}：没有未承接的举措（或它没有贯彻落实图谱中的上级文件）")
    return answer


# --- diff -----------------------------------------------------------------------------------------------------


def outline_items(store: GraphStore, doc: DocumentRef) -> tuple[list[Item], bool]:
    """The sections and tasks of a document as the diff compares them, and whether it is a news report."""
    table = run_named(store, load_queries()["outline_items"], {"doc": doc.iri})
    items: dict[str, Item] = {}
    report = False
    for row in (dict(zip(table.columns, r, strict=True)) for r in table.rows):
        report = report or row["is_report"] == "true"
        iri = row["item"] or ""
        item = items.get(iri)
        if item is None:
            item = items[iri] = Item(iri, "task" if row["kind"] == "task" else "section", row["number"] or "",
                                     row["path"] or "", row["title"] or "", row["text"] or "", row["parent"] or "")
        unit = (row["agency"] or "", row["role"] or "")
        if unit[0] and unit not in item.units:
            item.units.append(unit)
        if row["target"] and row["target"] not in item.targets:
            item.targets.append(row["target"])
    return list(items.values()), report


def revised_sources(store: GraphStore, final: DocumentRef) -> set[str]:
    """The source files holding items that tasks of `final` revise (the drafts it came from)."""
    table = run_named(store, load_queries()["task_links"])
    rows = (dict(zip(table.columns, r, strict=True)) for r in table.rows)
    return {r["other_source_file"] or "" for r in rows
            if r["relation"] == "revises" and r["source_file"] == final.source_file}


def diff_documents(store: GraphStore, draft: DocumentRef, final: DocumentRef,
                   rules: LinkRules | None = None) -> DiffResult:
    draft_items, report = outline_items(store, draft)
    final_items, _ = outline_items(store, final)
    return diff_items(draft_items, final_items, rules or load_link_rules(), draft_is_report=report)


def diff(store: GraphStore, draft: str, final: str) -> tuple[DiffResult, DocumentRef, DocumentRef]:
    """What changed from `draft` to `final` (each named by 文号, file or title)."""
    final_doc = find_document(store, final)
    candidates = [d for d in matching_documents(store, draft) if d.iri != final_doc.iri]
    if len(candidates) > 1:  # 征求意见稿 matches every draft: keep the ones the final text revises
        drafts = revised_sources(store, final_doc)
        candidates = [d for d in candidates if d.source_file in drafts] or candidates
    draft_doc = one_document(draft, candidates) if candidates else find_document(store, draft)
    if draft_doc.iri == final_doc.iri:
        raise CoordinateError("征求意见稿与正式文本是同一个文件")
    return diff_documents(store, draft_doc, final_doc), draft_doc, final_doc


def diff_answer(result: DiffResult, draft: DocumentRef, final: DocumentRef) -> Answer:
    labels = code_labels("diffchange")
    answer = Answer(DIFF_COLUMNS, table_columns=DIFF_COLUMNS)
    for change in result.changes:
        details = "\n".join(f"所在部分：{d.draft} → {d.final}" if d.what == "section" else f"{d.draft} → {d.final}"
                            for d in change.details)
        answer.add({"变化": labels[change.kind], "征求意见稿": heading(change.draft),
                    "正式文本": heading(change.final), "改动": details,
                    "相似度": f"{change.score:.2f}" if change.score else ""})
    if result.draft_is_report:
        answer.notes.append(f"征求意见稿仅见于新闻报道“{draft.title}”：报道是摘要，未提及的条目标为“{labels['not-in-report']}”，"
                            "不据此认定为新增")
    return answer


def diff_json(result: DiffResult, draft: DocumentRef, final: DocumentRef) -> str:
    def item(i: Item | None) -> Mapping[str, object] | None:
        return None if i is None else {"iri": i.iri, "number": i.number, "path": i.path, "title": i.title,
                                        "units": [list(u) for u in i.units], "targets": i.targets}

    data = {
        "draft": {"iri": draft.iri, "title": draft.title, "source_file": draft.source_file},
        "final": {"iri": final.iri, "title": final.title, "number": final.number, "source_file": final.source_file},
        "draft_is_report": result.draft_is_report,
        "changes": [{"change": c.kind, "draft": item(c.draft), "final": item(c.final), "score": c.score,
                     "details": [{"what": d.what, "draft": d.draft, "final": d.final} for d in c.details]}
                    for c in result.changes],
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def diff_html(result: DiffResult, draft: DocumentRef, final: DocumentRef) -> str:
    """A page that opens offline: the diff as a table, every value escaped."""
    answer = diff_answer(result, draft, final)
    head = "".join(f"<th>{html.escape(c)}</th>" for c in answer.columns)
    body = "\n".join(
        "<tr class=\"{}\">{}</tr>".format(
            html.escape(change.kind),
            "".join(f"<td>{html.escape(row[c]).replace(chr(10), '<br>')}</td>" for c in answer.columns))
        for change, row in zip(result.changes, answer.rows, strict=True))
    notes = "".join(f"<p class=\"note\">{html.escape(n)}</p>" for n in answer.notes)
    title = f"{draft.title} → {final.display}"
    return f"""<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<title>{html.escape(title)}</title>
<style>body{{font-family:"Noto Sans CJK SC",sans-serif;margin:2em;}}table{{border-collapse:collapse;width:100%}}
td,th{{border:1px solid #ccc;padding:4px 8px;vertical-align:top;text-align:left}}
tr.moved{{background:#fff4d6}}tr.renamed{{background:#eef6ff}}tr.added{{background:#eaffea}}
tr.dropped{{background:#ffecec}}tr.not-in-report{{color:#777}}.note{{color:#555}}</style></head>
<body><h1>{html.escape(title)}</h1>{notes}
<table><thead><tr>{head}</tr></thead><tbody>
{body}
</tbody></table></body></html>
"""
