"""Outline stage: numbered headings and items, their levels, and which items are tasks."""

from __future__ import annotations

from conftest import CORPUS, FIXTURES, article_of

from policykg.graph.outline import build_outline, chinese_numeral, iter_nodes


def test_chinese_numerals_read_as_numbers() -> None:
    assert [chinese_numeral(n) for n in ["一", "九", "十", "十二", "二十", "二十三", "①", "12"]] == [
        1, 9, 10, 12, 20, 23, 1, 12]


def test_guizhou_plan_has_19_tasks_under_five_sections(pipeline) -> None:
    result = build_outline(article_of(next(CORPUS.glob("001_*.txt"))), pipeline.outline_rules)
    assert [t.number for t in result.tasks] == [str(n) for n in range(1, 20)]
    sections = {t.path[:2] for t in result.tasks}
    assert sections == {(2, 1), (2, 2), (2, 3), (2, 4), (2, 5)}
    assert result.tasks[5].heading == "建立特殊困难老年人探访关爱机制"
    assert result.tasks[5].path_id == "2.2.6"


def test_items_of_support_sections_are_not_tasks(pipeline) -> None:
    result = build_outline(article_of(next(CORPUS.glob("001_*.txt"))), pipeline.outline_rules)
    support = [n for n in iter_nodes(result.roots) if n.path[0] == 3]
    assert support and not any(n.is_task for n in support)


def test_ocr_slips_in_markers_keep_numbering(pipeline) -> None:
    """003 writes 1、 for 一、 and （4） for （四）: both stay siblings of their neighbours."""
    result = build_outline(article_of(next(CORPUS.glob("003_*.txt"))), pipeline.outline_rules)
    assert len(result.tasks) == 17
    assert [r.heading for r in result.roots] == ["总体要求", "重点任务", "强化保障"]
    assert len(result.warnings) == 2


def test_word_bookmark_before_a_marker_is_skipped(pipeline) -> None:
    result = build_outline(article_of(next(CORPUS.glob("003_*.txt"))), pipeline.outline_rules)
    assert result.tasks[9].number == "10" and result.tasks[9].heading == "增加普惠性服务供给"


def test_national_opinion_tasks_are_the_key_work_items(pipeline) -> None:
    result = build_outline(article_of(next(CORPUS.glob("004_*.txt"))), pipeline.outline_rules)
    assert [t.marker for t in result.tasks] == ["(一)", "(二)", "(三)", "(四)", "(五)"]
    assert result.tasks[2].heading == "完善基本养老服务保障机制"


def test_without_a_task_section_every_non_support_section_holds_tasks(pipeline) -> None:
    result = build_outline(article_of(FIXTURES / "outline_topical_sections.txt"), pipeline.outline_rules)
    assert [t.heading for t in result.tasks] == ["建设社区食堂", "发展助餐配送", "培育养老护理员"]


def test_inline_enumeration_becomes_items(pipeline) -> None:
    result = build_outline(article_of(FIXTURES / "outline_inline_shi.txt"), pipeline.outline_rules)
    assert [(t.number, t.heading) for t in result.tasks] == [
        ("一", "制定落实基本养老服务清单"), ("二", "建立精准服务主动响应机制"), ("三", "完善保障机制")]


def test_section_names_in_traditional_characters_are_recognised(pipeline) -> None:
    result = build_outline(article_of(FIXTURES / "outline_traditional_sections.txt"), pipeline.outline_rules)
    assert [t.heading for t in result.tasks] == ["推進醫養結合", "加強人才培養"]
