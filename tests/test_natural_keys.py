"""Targets and duties are named by what they say, not by their position: a sentence added before them renumbers
nothing (issue 11, item 9)."""

from __future__ import annotations

import re
from pathlib import Path

from policykg.build import run_build

PLAN = ("贵州省某县推进养老服务工作方案\n一、重点任务\n（一）建设服务设施。{extra}到2031年新建社区养老服务站12个，"
        "护理型床位占比达到60%。（责任单位：县民政局、县财政局）\n二、保障措施\n{duty}县民政局要会同县财政局做好资金保障。\n")


def names(tmp: Path, extra: str) -> tuple[set[str], set[str]]:
    corpus = tmp / f"corpus{len(extra)}"
    corpus.mkdir()
    duty = "县住建局要会同县城管局做好改造。" if extra else ""
    (corpus / "plan.txt").write_text(PLAN.format(extra=extra, duty=duty), "utf-8")
    out = tmp / f"out{len(extra)}"
    report = run_build(corpus, out, views=False)
    assert not report.errors, report.errors
    nq = (out / "kg.nq").read_text("utf-8")
    targets = set(re.findall(r"<([^>]*/target/[^>/]*)>", nq))
    duties = set(re.findall(r"<([^>]*/duty/[^>/]*)>", nq))
    return targets, duties


def test_a_sentence_added_before_them_leaves_target_and_duty_iris_as_they_were(tmp_path: Path) -> None:
    targets, duties = names(tmp_path, "")
    assert len(targets) == 2 and len(duties) == 1
    more_targets, more_duties = names(tmp_path, "到2030年完成老旧小区适老化改造300户。")
    assert len(more_targets) == 3 and len(more_duties) == 2  # the added sentence states a target and a duty
    assert targets < more_targets and duties < more_duties  # the earlier ones keep their IRIs
