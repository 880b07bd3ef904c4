"""Extract stage: every responsibility notation gives the right units, roles and bases."""

from __future__ import annotations

from conftest import CORPUS, FIXTURES, article_of

from policykg.document import outline_and_extract

NOTATIONS = FIXTURES / "notations"


def units(path, pipeline) -> list[list[tuple[str, str, str]]]:
    _, found = outline_and_extract(article_of(path), pipeline)
    return [[(r.mention.written, r.role, r.basis) for r in t.responsibilities] for t in found.tasks]


def test_first_listed_unit_leads_by_list_order(pipeline) -> None:
    assert units(NOTATIONS / "list_first_leads.txt", pipeline) == [[
        ("省民政厅", "lead", "list-order"), ("省财政厅", "co", "list-order"), ("省卫生健康委", "co", "list-order")]]


def test_declared_first_listed_rule_applies_to_later_lists(pipeline) -> None:
    assert units(NOTATIONS / "declared_first_leads.txt", pipeline) == [
        [("省卫生健康委", "lead", "declared-list-order"), ("省民政厅", "co", "declared-list-order")],
        [("省教育厅", "lead", "declared-list-order"), ("省人力资源社会保障厅", "co", "declared-list-order")],
    ]


def test_lead_and_co_labels_and_marked_lead(pipeline) -> None:
    assert units(NOTATIONS / "lead_and_co_labels.txt", pipeline) == [
        [("省民政厅", "lead", "explicit"), ("省财政厅", "co", "explicit"), ("省住房城乡建设厅", "co", "explicit")],
        [("省民政厅", "lead", "explicit"), ("各市、县〔市、区〕人民政府", "co", "explicit")],
        [("省人力资源社会保障厅", "lead", "explicit"), ("省民政厅", "co", "explicit"), ("省教育厅", "co", "explicit")],
    ]


def test_role_words_after_units(pipeline) -> None:
    assert units(NOTATIONS / "role_words.txt", pipeline) == [
        [("省民政厅", "lead", "explicit"), ("省卫生健康委", "co", "explicit"), ("省医保局", "co", "explicit")],
        [("省经济和信息化厅", "lead", "explicit"), ("省民政厅", "lead", "explicit"),
         ("省大数据中心", "co", "explicit")],
        [("省消防救援总队", "lead", "sole-unit")],  # (A负责): the only unit listed
        [("省教育厅", "lead", "explicit")],
        # (A、B按职责分工负责): a plain list, the first leads; a collective alone implements, it does not lead
        [("省发展改革委", "lead", "list-order"), ("省商务厅", "co", "list-order")],
        [("有关部门", "co", "list-order")],
    ]


def test_responsibility_lines_after_the_task(pipeline) -> None:
    assert units(NOTATIONS / "standalone_lines.txt", pipeline) == [
        [("省民政厅", "lead", "explicit"), ("省财政厅", "co", "explicit"), ("省统计局", "co", "explicit")],
        [("省民政厅", "lead", "list-order"), ("省卫生健康委", "co", "list-order")],
    ]


def test_document_wide_rule_adds_units_to_later_tasks(pipeline) -> None:
    found = units(NOTATIONS / "inherited_rule.txt", pipeline)
    assert found[0] == [("省民政厅", "lead", "list-order"), ("各州〔市〕、县〔市、区〕人民政府", "co", "list-order")]
    assert found[1] == [("省民政厅", "lead", "list-order"), ("省住房城乡建设厅", "co", "list-order"),
                        ("各州〔市〕、县〔市、区〕人民政府", "co", "inherited")]


def test_traditional_characters_match_and_keep_their_written_form(pipeline) -> None:
    assert units(NOTATIONS / "traditional.txt", pipeline) == [[
        ("省醫保局", "lead", "list-order"), ("省民政廳", "co", "list-order"), ("省衛生健康委", "co", "list-order")]]


def test_running_text_owner_leads_a_task_without_a_list(pipeline) -> None:
    found = units(NOTATIONS / "running_text.txt", pipeline)
    assert found[0] == [("民政部", "lead", "explicit"), ("相关部门", "co", "explicit")]


def test_running_text_duties_are_found_with_partners(pipeline) -> None:
    _, found = outline_and_extract(article_of(NOTATIONS / "running_text.txt"), pipeline)
    duties = [(d.agent.written, d.pattern, [p.written for p in d.partners]) for t in found.tasks for d in t.duties]
    assert ("民政部", "with", ["相关部门"]) in duties
    assert ("各地区各有关部门", "must", []) in duties
    assert ("国家卫生健康委", "responsible", []) in duties
    assert ("民政部", "with", ["国家发展改革委"]) in duties
    assert ("公安机关", "must", []) in duties
    assert any(agent.endswith("民政部门") for agent, _, _ in duties)
    assert ("民政部门", "must", []) in [(a, p, q) for a, p, q in duties[-1:]]  # after "《实施意见》要求"


def test_guizhou_plan_units_and_inherited_governments(pipeline) -> None:
    found = units(next(CORPUS.glob("001_*.txt")), pipeline)
    assert len(found) == 19
    governments = "各市〔州〕、县〔市、区、特区〕人民政府"
    assert found[0] == [("省民政厅", "lead", "list-order"), (governments, "co", "list-order")]
    assert found[5] == [("省民政厅", "lead", "explicit"), ("有关部门", "co", "explicit"),
                        (governments, "co", "inherited")]
    assert all((governments, "co", "inherited") in task for task in found[1:])
    assert found[18][0] == ("省卫生健康委", "lead", "list-order")


def test_pipe_table_rows_become_tasks_and_scoring_column_is_ignored(pipeline) -> None:
    assert units(NOTATIONS / "pipe_table.txt", pipeline) == [
        [("市民政局", "lead", "explicit"), ("市住建局", "co", "explicit"), ("市自然资源规划局", "co", "explicit")],
        [("市民政局", "lead", "explicit"), ("市财政局", "co", "explicit")],
    ]


def test_cells_one_per_line_under_headers_become_tasks(pipeline) -> None:
    assert units(NOTATIONS / "cell_runs.txt", pipeline) == [
        [("省民政厅", "lead", "explicit"), ("省市场监管局", "co", "explicit")],
        [("省人力资源社会保障厅", "lead", "explicit"), ("省民政厅", "co", "explicit"), ("省教育厅", "co", "explicit")],
    ]


def test_ocr_spaces_inside_unit_names_still_resolve(pipeline) -> None:
    found = units(NOTATIONS / "ocr_noise.txt", pipeline)
    assert found == [[("省民政 厅", "lead", "list-order"), ("省卫生 健康委", "co", "list-order")]]
    guizhou = pipeline.lexicon.jurisdiction("520000")
    names = [pipeline.resolver.resolve(w, guizhou).name for w, _, _ in found[0]]
    assert names == ["贵州省民政厅", "贵州省卫生健康委员会"]


def test_deadlines_attached_to_tasks(pipeline) -> None:
    from policykg.document import make_document

    document, _ = make_document(article_of(NOTATIONS / "deadlines.txt"), pipeline, [])
    deadlines = [[(d.text, d.year, d.month, d.end_year) for d in t.deadlines] for t in document.tasks]
    assert deadlines[0] == [("6月底", None, 6, None)]
    assert deadlines[1] == [("2022年10月底前", 2022, 10, None)]
    assert deadlines[2][0][0].endswith("十四五”期间") and deadlines[2][0][3] == 2025


def test_one_agency_written_two_ways_is_one_responsibility_and_conforms(tmp_path) -> None:
    """省交通厅 in a 会同 sentence and 省交通运输厅 in the list are one agency: one responsibility, both written
    forms and both clauses kept as evidence, one role (the stated lead), and the graph passes SHACL."""
    from policykg.build import Pipeline, assemble, read_corpus
    from policykg.graph.shacl import validate_shacl

    (tmp_path / "plan.txt").write_text(
        "贵州省农村公路养护实施方案\n二、重点任务\n"
        "1.完善养护机制。省交通厅牵头制定养护资金管理办法。（责任单位：省财政厅、省交通运输厅）\n", "utf-8")
    pipeline = Pipeline.load()
    corpus = read_corpus([tmp_path / "plan.txt"], pipeline)
    (task,) = corpus.documents[0].tasks
    by_agency = {r.agency_key: r for r in task.responsibilities}
    assert len(by_agency) == len(task.responsibilities) == 2
    transport = by_agency["520000/贵州省交通运输厅"]
    assert transport.role == "lead"
    assert {transport.mention.written, *(m.written for m, _ in transport.also)} == {"省交通厅", "省交通运输厅"}
    assert validate_shacl(assemble(corpus, pipeline, "https://example.org/")) == []


def test_heading_names_the_lead_of_its_tasks(pipeline) -> None:
    """"（一）县财政局牵头的工作" leads every task under it that names no lead itself; a person heading names none."""
    assert units(NOTATIONS / "heading_owner.txt", pipeline) == [
        [("县财政局", "lead", "explicit"), ("县审计局", "co", "explicit"), ("各乡镇人民政府", "co", "explicit")],
        [("县财政局", "lead", "explicit")],
        [("县卫生健康局", "lead", "explicit"), ("县民政局", "co", "explicit")],
    ]
