"""Big inputs (issue 13, item 4): a file above --max-file-size is one error line naming it, a line without breaks
longer than 100,000 characters is one warning naming the file, and neither stops the rest of the corpus. (Time and
memory of a 20 MB build are measured by bench/bench_big_input.py, not here.)"""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from policykg.build import run_build
from policykg.cli import cli
from policykg.graph.read import DEFAULT_MAX_FILE_SIZE, LONG_LINE, long_line_warning, longest_line, read_source

GOOD = "一、加强工作。（责任单位：省民政厅、省财政厅）\n"


def test_a_file_above_the_limit_is_one_error_naming_it(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    (corpus / "huge.txt").write_bytes(GOOD.encode("utf-8") * 40_000)  # 2.7 MB
    result = CliRunner().invoke(cli, ["build", "--corpus", str(corpus), "--out", str(tmp_path / "out"),
                                      "--max-file-size", "1"])
    assert result.exit_code == 1
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("huge.txt: error: 文件过大（2.7 MB，上限 1.0 MB）")
    assert "--max-file-size" in errors[0]
    assert (tmp_path / "out" / "text" / "good.txt").exists()


def test_the_default_limit_is_20_mb_and_reading_does_not_allocate_it(tmp_path: Path) -> None:
    assert DEFAULT_MAX_FILE_SIZE == 20 * 1024 * 1024
    (tmp_path / "a.txt").write_text(GOOD, "utf-8")
    assert read_source(tmp_path / "a.txt", 10**15).raw == GOOD  # a generous limit is not a buffer of that size
    help_text = CliRunner().invoke(cli, ["build", "--help"]).output
    assert "--max-file-size" in help_text and "20" in help_text


def test_a_very_long_line_is_one_warning_naming_the_file(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_text(GOOD, "utf-8")
    (corpus / "oneline.txt").write_text(GOOD.strip() * (LONG_LINE // len(GOOD.strip()) + 10), "utf-8")
    report = run_build(corpus, tmp_path / "out")
    warnings = [str(i) for i in report.issues if i.file_name == "oneline.txt" and "字符" in i.message]
    assert len(warnings) == 1 and warnings[0].startswith("oneline.txt: warning: 有一行长达")
    assert not report.errors


def test_longest_line_counts_every_line_break() -> None:
    assert longest_line("ab\ncde\r\nf\rghij") == 4
    assert longest_line("") == 0
    assert long_line_warning("x" * LONG_LINE) is None
    assert long_line_warning("x" * (LONG_LINE + 1)) is not None
