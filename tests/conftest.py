"""Shared helpers: load the stage rules once and turn a fixture file into articles."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from policykg.build import Pipeline, run_build
from policykg.document import source_articles
from policykg.graph.layout import lay_out
from policykg.graph.model import Article, SourceText
from policykg.graph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"


@cache
def shared_pipeline() -> Pipeline:
    """The stage rules, loaded once for the whole session (they are read-only)."""
    return Pipeline.load()


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return shared_pipeline()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built once per test session; tests only read it."""
    out = tmp_path_factory.mktemp("corpus-build") / "out"
    report = run_build(CORPUS, out)
    assert not report.errors, report.errors
    return out


def laid_out(source: SourceText) -> SourceText:
    """A normalized source with the layout stage's blocks and noise layer, as segment needs it."""
    pipeline = shared_pipeline()
    lay_out(source, pipeline.noise, pipeline.tables)
    return source


def articles_of(path: Path) -> list[Article]:
    """A file through normalize → layout → segment, as the build reads it."""
    data = path.read_bytes()
    return source_articles(path.name, data.decode("utf-8"), hashlib.sha256(data).hexdigest(), shared_pipeline())[1]


def article_of(path: Path) -> Article:
    found = articles_of(path)
    assert len(found) == 1, f"{path.name} should hold one article, found {len(found)}"
    return found[0]


@pytest.fixture(scope="session")
def store(built: Path) -> Iterator[EmbeddedStore]:
    """The session build's store, read-only."""
    opened = EmbeddedStore(built / "store")
    yield opened
    opened.close()


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """One loud line per group of skipped tests (browser, Virtuoso, Java…), with what enables it: a newcomer's
    green run must not hide that the browser and store tests did not run."""
    groups: dict[str, tuple[int, str]] = {}
    for report in terminalreporter.stats.get("skipped", []):
        path = report.nodeid.split("::", 1)[0] if report.nodeid else str(report.location[0])
        reason = str(report.longrepr[2]) if isinstance(report.longrepr, tuple) else str(report.longrepr)
        count, _ = groups.get(path, (0, reason))
        groups[path] = (count + 1, reason.removeprefix("Skipped: "))
    for path, (count, reason) in sorted(groups.items()):
        terminalreporter.write_line(f"!!! SKIPPED {count} test(s) in {path}: {reason} — `sudo .ci/run` installs "
                                    "what the tests need", red=True, bold=True)
