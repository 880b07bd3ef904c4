"""End to end on the bundled corpus: the build's outputs and the facts the graph must hold."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CORPUS

from policykg import build as build_module
from policykg.build import run_build
from policykg.cli import cli
from policykg.query import load_queries, run_named

GOVERNMENTS = "各市（州）、县（市、区、特区）人民政府"


def rows(store, name: str, **params: str) -> list[dict[str, str | None]]:
    return run_named(store, load_queries()[name], params).records()


def test_build_writes_every_output(built: Path) -> None:
    for name in ["kg.trig", "kg.ttl", "kg.nq", "kg.jsonld", "tasks.csv", "store", "viz/index.html", "docs/index.html"]:
        assert (built / name).exists(), name
    for page in (built / "viz").glob("*.html"):
        assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", page.read_text("utf-8")), page.name


def test_trig_has_one_named_graph_per_source_and_the_ontology(built: Path) -> None:
    from rdflib import Dataset

    dataset = Dataset()
    dataset.parse(built / "kg.trig", format="trig")
    names = {str(g.identifier) for g in dataset.graphs() if len(g)}
    sources = {n for n in names if "/graph/source/" in n}
    assert {n.rsplit("/", 1)[1] for n in sources} == {p.stem for p in CORPUS.glob("*.txt")}
    assert any(n.endswith("/graph/ontology") for n in names)


def test_rebuild_gives_byte_identical_dumps(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "out"
    run_build(CORPUS, again)
    for name in ["kg.trig", "kg.nq", "kg.ttl", "kg.jsonld", "tasks.csv"]:
        assert (again / name).read_bytes() == (built / name).read_bytes(), name


def test_guizhou_plan_tasks_sections_and_units(store) -> None:
    tasks = [r for r in rows(store, "tasks") if r["source_file"].startswith("001_")]
    assert [r["task_number"] for r in tasks] == [str(n) for n in range(1, 20)]
    assert tasks[5]["section"] == "完善精准服务主动响应机制"
    resp = [r for r in rows(store, "responsibilities") if r["source_file"].startswith("001_")]
    task1 = [(r["agency"], r["role"], r["basis"]) for r in resp if r["task_number"] == "1"]
    assert task1 == [("贵州省民政厅", "lead", "list-order"), (GOVERNMENTS, "co", "list-order")]
    task6 = {(r["agency"], r["role"], r["basis"]) for r in resp if r["task_number"] == "6"}
    assert task6 == {("贵州省民政厅", "lead", "explicit"), ("有关部门", "co", "explicit"),
                     (GOVERNMENTS, "co", "inherited")}
    inherited = {r["task_number"] for r in resp if r["basis"] == "inherited"}
    assert inherited == {str(n) for n in range(2, 20)}
    task4 = [(r["agency"], r["agency_as_written"], r["role"]) for r in resp if r["task_number"] == "4"]
    assert ("贵州省卫生健康委员会", "省卫生健康委", "co") in task4


def test_jingdezhen_draft_has_17_tasks_with_units(store) -> None:
    resp = [r for r in rows(store, "responsibilities") if r["source_file"].startswith("003_")]
    assert {r["task_number"] for r in resp} == {str(n) for n in range(1, 18)}
    assert ("景德镇市卫生健康委员会", "市卫健委") in {(r["agency"], r["agency_as_written"]) for r in resp}
    leads = {r["task_number"]: r["agency"] for r in resp if r["role"] == "lead"}
    assert leads["6"] == "景德镇市住房和城乡建设局" and leads["10"] == "景德镇市发展和改革委员会"


def test_national_opinion_key_work_and_owner_lead(store) -> None:
    tasks = [r for r in rows(store, "tasks") if r["source_file"].startswith("004_")]
    assert [r["task_number"] for r in tasks] == ["一", "二", "三", "四", "五"]
    assert not any("垫江" in (r["task_title"] or "") for r in rows(store, "tasks"))
    resp = [r for r in rows(store, "responsibilities") if r["source_file"].startswith("004_")]
    assert ("中华人民共和国民政部", "lead") in {(r["agency"], r["role"]) for r in resp if r["task_number"] == "一"}


def test_targets_with_values_units_and_deadlines(store) -> None:
    targets = rows(store, "targets")
    guizhou12 = {(r["comparator"], r["value"], r["unit"], r["deadline"]) for r in targets
                 if r["source_file"].startswith("001_") and r["task_number"] == "12"}
    assert guizhou12 == {("ge", "60", "%", "2025"), ("eq", "100", "个", "2025")}
    jdz13 = [r for r in targets if r["source_file"].startswith("003_") and r["task_number"] == "13"]
    assert [(r["comparator"], r["value"], r["unit"], r["deadline"]) for r in jdz13] == [("ge", "60", "%", "2025")]
    assert "护理型床位占比" in jdz13[0]["indicator"] and "60%以上" in jdz13[0]["quote"]


def test_one_agency_per_real_agency_with_every_written_form(store) -> None:
    found = store.select("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?a (COUNT(DISTINCT ?label) AS ?n) WHERE { ?a skos:prefLabel ?label } GROUP BY ?a HAVING (?n > 1)""")
    assert found.rows == []
    forms = store.select("""
        PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
        SELECT ?alias WHERE { ?a skos:prefLabel "贵州省卫生健康委员会"@zh ; skos:altLabel ?alias }""")
    assert ("省卫生健康委",) in forms.rows


def test_newspaper_pages_split_into_titled_articles(store) -> None:
    titles = store.select("""
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?file ?title WHERE { ?d pkg:source/dcterms:identifier ?file ; dcterms:title ?title }""").rows
    by_file: dict[str, list[str]] = {}
    for file_name, title in titles:
        by_file.setdefault(file_name[:3], []).append(title)
    assert len(by_file["000"]) == 3 and len(by_file["002"]) == 4
    assert "山西省民政厅等六部门联合发布意见进一步推进孤弃儿童回归家庭" in by_file["000"]


def test_every_fact_has_evidence_that_matches_the_text(built: Path, store) -> None:
    found = store.select("""
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?file ?start ?end ?exact WHERE {
          ?fact pkg:evidence ?ev . ?ev oa:hasSource/dcterms:identifier ?file ;
            oa:hasSelector ?p, ?q . ?p oa:start ?start ; oa:end ?end . ?q oa:exact ?exact }""")
    assert len(found.rows) > 300
    texts = {p.name: (built / "text" / p.name).read_text("utf-8") for p in CORPUS.glob("*.txt")}
    for file_name, start, end, exact in found.rows:
        assert texts[file_name][int(start) : int(end)] == exact
    missing = store.select("""
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        SELECT ?x WHERE { { ?x a pkg:Task } UNION { ?x a pkg:Responsibility } UNION { ?x a pkg:Target }
          FILTER NOT EXISTS { ?x pkg:evidence ?e } }""")
    assert missing.rows == []


def test_tasks_csv_is_the_fengong_table(built: Path) -> None:
    with (built / "tasks.csv").open(encoding="utf-8-sig") as handle:
        table = list(csv.DictReader(handle))
    row = next(r for r in table if r["source_file"].startswith("001_") and r["task_number"] == "6")
    assert row["lead"] == "贵州省民政厅" and "有关部门" in row["co"] and "月探访率" in row["quote"]


def test_cli_who_leads_names_the_lead(built: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "who_leads", "--param", "task=探访关爱", "--format", "json",
                                      "--out", str(built)])
    assert result.exit_code == 0, result.output
    answers = json.loads(result.output)
    guizhou = next(a for a in answers if a["source_file"].startswith("001_"))
    assert guizhou["task_number"] == "6" and guizhou["lead"] == "贵州省民政厅"


def test_cli_agency_tasks_accepts_a_written_form(built: Path) -> None:
    result = CliRunner().invoke(cli, ["query", "agency_tasks", "--param", "agency=省卫生健康委", "--format", "csv",
                                      "--out", str(built)])
    assert result.exit_code == 0, result.output
    lines = list(csv.DictReader(result.output.splitlines()))
    assert {(r["task_number"], r["role"]) for r in lines if r["source_file"].startswith("001_")} >= {
        ("4", "co"), ("5", "co"), ("19", "lead")}


def test_undecodable_file_is_named_and_the_rest_still_builds(tmp_path: Path) -> None:
    """A GBK file now builds (issue 9); bytes no supported encoding decodes are one line naming the file."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(next(CORPUS.glob("001_*.txt")), corpus)
    (corpus / "gbk.txt").write_bytes("一、加强工作。（责任单位：省民政厅）\n".encode("gbk"))
    (corpus / "broken.txt").write_bytes(b"\x80\xff\x80\xff\x81" * 20)
    result = CliRunner().invoke(cli, ["build", "--corpus", str(corpus), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("broken.txt: error: ") and "UTF-8" in errors[0]
    assert (tmp_path / "out" / "kg.trig").exists()
    assert "省民政厅" in (tmp_path / "out" / "text" / "gbk.txt").read_text("utf-8")


def test_a_build_that_stops_part_way_keeps_the_previous_outputs(tmp_path: Path, monkeypatch) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "kg.trig").write_text("previous build", "utf-8")

    def crash(*_args: object, **_kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(build_module, "write_dumps", crash)
    with pytest.raises(KeyboardInterrupt):
        run_build(CORPUS, out)
    assert (out / "kg.trig").read_text("utf-8") == "previous build"
    assert not list(tmp_path.glob("out.partial-*"))


def test_news_reports_are_typed_by_what_they_report(store) -> None:
    kinds = dict(store.select("""
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?title ?kind WHERE {
          ?d pkg:reportKind ?k ; dcterms:title ?title BIND(REPLACE(STR(?k), "^.*/", "") AS ?kind) }
    """).rows)
    assert kinds["《贵州省推进基本养老服务体系建设的实施方案（征求意见稿）》公开征求意见"] == "draft-for-comment"
    assert kinds["湖北省出台推进基本养老服务体系建设实施方案"] == "plan"
    assert kinds["广东省民政厅、贵州省民政厅深化粤黔民政领域东西部协作"] == "cooperation-agreement"
    assert kinds["山东省民政厅党组专题研究巩固拓展脱贫攻坚成果同乡村振兴有效衔接工作"] == "meeting"


def test_reported_draft_is_an_earlier_version_of_the_final_plan(store) -> None:
    found = store.select("""
        PREFIX pkg: <https://w3id.org/policykg/ontology#>
        PREFIX eli: <http://data.europa.eu/eli/ontology#>
        SELECT DISTINCT ?status ?number WHERE { ?report pkg:reportsOn ?draft . ?draft pkg:status ?status ;
          pkg:earlierVersionOf ?final . ?final eli:id_local ?number }""").rows
    assert found == [("https://w3id.org/policykg/code/status/draft", "黔府办发〔2023〕21号")]


def test_running_text_duties_are_queryable(store) -> None:
    duties = rows(store, "duties")
    shanxi = {(r["agency"], r["duty"][:8]) for r in duties if "山西" in r["document_title"]}
    assert any(agency.endswith("公安机关") and duty.startswith("妥善做好") for agency, duty in shanxi)
    national = [r for r in duties if r["source_file"].startswith("004_") and r["agency"] == "中华人民共和国民政部"]
    assert {r["partners"] for r in national} == {"相关部门", "国家发展和改革委员会"}
