"""What the three users meet (issue 11): units in document order, one per cell line, in every table."""

from __future__ import annotations

import csv
from pathlib import Path

from policykg import coordinate
from policykg.graph.store import EmbeddedStore
from policykg.query import load_queries, run_named

# 003 task 4 as the text lists its units: 市民政局（牵头）、市委组织部、市文明办、市卫健委、市红十字会、市残联
JDZ_TASK4_CO = ["中共景德镇市委组织部", "景德镇市精神文明建设办公室", "景德镇市卫生健康委员会", "景德镇市红十字会",
                "景德镇市残疾人联合会"]


def _csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


def test_tasks_csv_lists_co_units_in_document_order(built: Path) -> None:
    row = next(r for r in _csv(built / "tasks.csv") if r["source_file"].startswith("003_") and r["task_number"] == "4")
    assert row["lead"] == "景德镇市民政局"
    assert row["co"].split("|") == JDZ_TASK4_CO


def test_tasks_csv_separator_splits_a_name_holding_the_enumeration_comma(built: Path) -> None:
    row = next(r for r in _csv(built / "tasks.csv") if r["source_file"].startswith("001_") and r["task_number"] == "6")
    assert row["co"].split("|") == ["有关部门", "各市（州）、县（市、区、特区）人民政府"]  # the inherited unit last


def test_long_format_has_one_row_per_unit_with_its_position(built: Path) -> None:
    rows = [r for r in _csv(built / "responsibilities.csv")
            if r["source_file"].startswith("003_") and r["task_number"] == "4"]
    assert [(r["role"], r["agency"]) for r in rows] == [("lead", "景德镇市民政局"), *(("co", n) for n in JDZ_TASK4_CO)]
    assert [r["position"] for r in rows] == ["1", "2", "3", "4", "5", "6"]


def test_who_leads_query_and_command_keep_document_order(built: Path) -> None:
    store = EmbeddedStore(built / "store")
    try:
        table = run_named(store, load_queries()["who_leads"], {"task": "探访关爱"})
        row = next(r for r in table.records() if r["source_file"].startswith("003_"))
        assert (row["co"] or "").split("|") == JDZ_TASK4_CO
        answer = coordinate.who_leads(store, "探访关爱")
        found = next(r for r in answer.rows if r["来源文件"].startswith("003_"))
        assert found["配合单位"].split(coordinate.UNIT_SEPARATOR) == JDZ_TASK4_CO
        shown = next(r for r in answer.view_rows if r["来源文件"].startswith("003_"))
        assert shown["配合单位"].split("\n") == JDZ_TASK4_CO  # one unit per line in the terminal table
    finally:
        store.close()


# -- addressing: task 6 of 黔府办发〔2023〕21号, --doc on every coordinator command, titles with place and status ----


def _run(built: Path, *args: str):
    from click.testing import CliRunner

    from policykg.cli import cli

    return CliRunner().invoke(cli, [*args, "--out", str(built)])


def test_who_leads_finds_a_task_by_document_and_number(built: Path) -> None:
    import json

    for number in ("6", "第6项", "第六项"):
        result = _run(built, "who-leads", "--doc", "黔府办发〔2023〕21号", number, "--format", "json")
        assert result.exit_code == 0, result.output
        rows = json.loads(result.stdout)
        assert [(r["序号"], r["任务"], r["牵头单位"]) for r in rows] == [
            ("6", "建立特殊困难老年人探访关爱机制", "贵州省民政厅")]
    every = json.loads(_run(built, "who-leads", "第6项", "--format", "json").stdout)
    assert {r["来源文件"][:3] for r in every} >= {"001", "003"}  # without --doc: task 6 of each document


def test_every_coordinator_command_takes_doc(built: Path) -> None:
    import json

    for args in (["agency", "省民政厅"], ["targets"], ["who-leads", "养老"]):
        rows = json.loads(_run(built, *args, "--doc", "黔府办发〔2023〕21号", "--format", "json").stdout)
        assert rows and all(r["来源文件"].startswith("001_") for r in rows), args
    assert _run(built, "export", "fengong", "--doc", "没有这个文件", "--csv", "/tmp/x.csv").exit_code == 1


def test_display_titles_say_place_and_status(built: Path) -> None:
    from policykg.crossdoc import documents_by_iri

    store = EmbeddedStore(built / "store")
    try:
        shown = {d.source_file[:3] + d.status: d.display for d in documents_by_iri(store).values()}
    finally:
        store.close()
    assert shown["003draft"] == "景德镇市《关于推进基本养老服务体系建设的实施意见》（征求意见稿）"
    assert shown["001final"] == "《贵州省推进基本养老服务体系建设实施方案》（黔府办发〔2023〕21号）"


# -- messages ------------------------------------------------------------------------------------------------------


def test_agency_messages_are_chinese_and_name_what_it_issued(built: Path) -> None:
    import json

    found = _run(built, "agency", "山西省民政厅", "--format", "json")
    assert found.exit_code == 0
    assert "matched" not in found.stderr and "找到单位" in found.stderr
    rows = json.loads(found.stdout)
    assert [(r["角色"], r["任务"]) for r in rows] == [
        ("印发文件", "《关于鼓励国内家庭收养病残孤弃儿童的实施意见（试行）》")]


def test_did_you_mean_does_not_offer_a_unit_sharing_only_generic_characters(built: Path) -> None:
    miss = _run(built, "agency", "省委宣传部")
    assert miss.exit_code == 1
    assert "国有资产" not in miss.stderr and "国资委" not in miss.stderr
    typo = _run(built, "who-leads", "探防关爱")
    assert "探访关爱" in typo.stderr


def test_a_missing_java_skips_reasoning_in_one_line_and_the_build_goes_on(tmp_path: Path, monkeypatch) -> None:
    import owlready2
    from conftest import CORPUS

    from policykg.build import run_build

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "one.txt").write_text(next(CORPUS.glob("001_*.txt")).read_text("utf-8"), "utf-8")
    monkeypatch.setattr(owlready2, "JAVA_EXE", str(tmp_path / "no-java"))
    report = run_build(corpus, tmp_path / "out")
    java = [str(i) for i in report.issues if "java" in i.message]
    assert len(java) == 1 and "跳过 HermiT" in java[0] and not report.errors
    assert (tmp_path / "out" / "kg.nq").exists() and (tmp_path / "out" / "viz" / "index.html").exists()


def test_commands_find_the_graph_from_any_folder(built: Path, tmp_path: Path, monkeypatch) -> None:
    from policykg.cli import default_out

    deep = built.parent / "a" / "b"
    deep.mkdir(parents=True, exist_ok=True)
    monkeypatch.chdir(deep)
    monkeypatch.delenv("POLICYKG_OUT", raising=False)
    assert default_out() == built  # the nearest out/ with a store, walking up
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POLICYKG_OUT", str(built))
    assert default_out() == built
    from click.testing import CliRunner

    from policykg.cli import cli

    result = CliRunner().invoke(cli, ["who-leads", "探访关爱", "--format", "json"])
    assert result.exit_code == 0 and "贵州省民政厅" in result.stdout
    monkeypatch.setenv("POLICYKG_OUT", str(tmp_path / "nothing"))
    missing = CliRunner().invoke(cli, ["who-leads", "探访关爱"])
    assert missing.exit_code != 0 and "POLICYKG_OUT" in missing.stderr and "error" not in missing.stderr


# -- researchers ---------------------------------------------------------------------------------------------------


def test_sparql_declares_the_project_prefixes_and_runs_every_form(built: Path) -> None:
    import json

    count = _run(built, "sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?t a pkg:Task }", "--format", "json")
    assert count.exit_code == 0, count.output
    assert int(json.loads(count.stdout)[0]["n"]) > 60
    ask = _run(built, "sparql", "ASK { ?r pkg:role <https://w3id.org/policykg/code/role/lead> }")
    assert ask.exit_code == 0 and ask.stdout == "true\n", ask.output
    built_graph = _run(built, "sparql", "CONSTRUCT { ?t dcterms:title ?x } WHERE { ?t a pkg:Task ; dcterms:title ?x }")
    lines = built_graph.stdout.splitlines()
    assert built_graph.exit_code == 0 and len(lines) > 60 and lines == sorted(lines)
    assert all(line.endswith(" .") and "<http://purl.org/dc/terms/title>" in line for line in lines)
    described = _run(built, "sparql", "DESCRIBE <https://w3id.org/policykg/code/role/lead>")
    assert "<https://w3id.org/policykg/code/role/lead>" in described.stdout
    own = _run(built, "sparql", "PREFIX pkg: <urn:other#> ASK { ?t a pkg:Task }")
    assert own.stdout == "false\n"  # a prefix the query declares is its own
    refused = _run(built, "sparql", "ASK { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }")
    assert refused.exit_code != 0


# -- ontology ------------------------------------------------------------------------------------------------------


def test_ontology_states_org_alignment_and_labels_its_role_codes() -> None:
    from importlib import resources

    from rdflib import RDFS, Graph, Literal, Namespace, URIRef

    graph = Graph().parse(data=resources.files("policykg.ontology").joinpath("policykg.ttl").read_text("utf-8"),
                          format="turtle")
    pkg, org = Namespace("https://w3id.org/policykg/ontology#"), Namespace("http://www.w3.org/ns/org#")
    assert (pkg.Agency, RDFS.subClassOf, org.Organization) in graph
    for code, zh in (("lead", "牵头单位"), ("co", "配合单位")):
        labels = set(graph.objects(URIRef(f"https://w3id.org/policykg/code/role/{code}"), RDFS.label))
        assert Literal(zh, lang="zh") in labels and any(getattr(x, "language", "") == "en" for x in labels)


def test_endpoint_page_offers_the_prefixes_and_every_named_query(built: Path) -> None:
    import html
    import re
    import urllib.parse
    import urllib.request

    from policykg.endpoint_cli import free_port
    from policykg.proxy import GuardedEndpoint

    with GuardedEndpoint(built / "store", free_port(), timeout=20) as running:
        with urllib.request.urlopen(running.url + "/", timeout=20) as response:
            page = response.read().decode("utf-8")
        examples = [html.unescape(t) for t in re.findall(r'<textarea name="query" rows="12">(.*?)</textarea>', page,
                                                         flags=re.S)]
        assert "PREFIX pkg: &lt;https://w3id.org/policykg/ontology#&gt;" in page
        assert len(examples) == len(load_queries()) and "<script" not in page
        who = next(e for e in examples if "question: Which department leads the tasks" in e)
        url = running.query_url + "?" + urllib.parse.urlencode({"query": who})
        request = urllib.request.Request(url, headers={"Accept": "text/csv"})
        with urllib.request.urlopen(request, timeout=20) as response:
            answer = response.read().decode("utf-8")
        assert "贵州省民政厅" in answer  # the example is bound (探访关爱) and runs as it stands
