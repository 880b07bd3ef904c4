"""Shared helpers: load the stage rules once and turn a fixture file into articles."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from policykg.build import Pipeline, run_build
from policykg.graph.model import Article
from policykg.graph.normalize import normalize
from policykg.graph.segment import segment
from policykg.graph.store import EmbeddedStore

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).parent.parent / "corpus"


@pytest.fixture(scope="session")
def pipeline() -> Pipeline:
    return Pipeline.load()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled corpus built once per test session; tests only read it."""
    out = tmp_path_factory.mktemp("corpus-build") / "out"
    report = run_build(CORPUS, out)
    assert not report.errors, report.errors
    return out


def articles_of(path: Path) -> list[Article]:
    data = path.read_bytes()
    source = normalize(path.name, data.decode("utf-8"), hashlib.sha256(data).hexdigest())
    return segment(source)[0]


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
