"""Task links and gaps as RDF, into the derived graph (they are computed from several sources at once).

A link is a `pkg:TaskLink` node, `{source task}/link/{relation}/{target part, relative to the base}`, with its
score, method and the best-matching clause on each side (`pkg:sourceEvidence`, `pkg:targetEvidence`), plus the plain
triple (`pkg:implements`, `pkg:sameSubjectAs`, `pkg:revises`) for simple queries. A gap is a `pkg:Gap` node,
`{lower document}/gap/{higher item, relative to the base}/{digest of the measure}`. Natural keys only: the same
corpus gives the same IRIs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rdflib import RDF, Literal, URIRef

from policykg.graph.emit import CODE, PKG, Emitter, Quote, Triples, decimal_value
from policykg.graph.model import Document, Gap, TaskLink

_PLAIN = {"implements": PKG.implements, "same-subject": PKG.sameSubjectAs, "revises": PKG.revises}


def _relative(iri: URIRef, base: str) -> str:
    return str(iri)[len(base) :] if str(iri).startswith(base) else str(iri)


@dataclass(frozen=True)
class LinkEnd:
    """The other document's side of a task link or gap, prepared where every document is at hand, so that the job
    of the linking source needs only its own documents: the item's IRI and the quoted clause."""

    part: URIRef
    quote: Quote


@dataclass(frozen=True)
class LinkFacts:
    """A task link (from a task of this source) or a gap (of a document of this source), with its far end."""

    link: TaskLink | None
    gap: Gap | None
    end: LinkEnd


def prepare(emitter: Emitter, by_key: Mapping[str, Document], links: Sequence[TaskLink],
            gaps: Sequence[Gap]) -> list[LinkFacts]:
    """The far ends of links and gaps (`by_key`: every document of the corpus, whose parts `emitter` has named as
    their own emission names them)."""
    facts: list[LinkFacts] = []
    for link in links:
        target = by_key[link.target[0]]
        part = emitter.part_iri(emitter.doc_iri(target.key), link.target[1])
        facts.append(LinkFacts(link, None, LinkEnd(part, emitter.quote(target.source, link.target_span))))
    for gap in gaps:
        higher = by_key[gap.higher]
        item = emitter.part_iri(emitter.doc_iri(higher.key), gap.item)
        facts.append(LinkFacts(None, gap, LinkEnd(item, emitter.quote(higher.source, gap.measure))))
    return facts


def link_triples(emitter: Emitter, documents: Sequence[Document], facts: Sequence[LinkFacts]) -> Triples:
    """The triples of links from, and gaps of, `documents` (their own source's), with evidence into the texts."""
    by_key = {d.key: d for d in documents}
    g = Triples(URIRef(f"{emitter.base}graph/derived"))
    for fact in facts:
        if fact.link is not None:
            link, source_doc = fact.link, by_key[fact.link.source[0]]
            source = emitter.part_iri(emitter.doc_iri(source_doc.key), link.source[1])
            target = fact.end.part
            node = URIRef(f"{source}/link/{link.relation}/{_relative(target, emitter.base)}")
            g.add((source, _PLAIN[link.relation], target))
            g.add((node, RDF.type, PKG.TaskLink))
            g.add((node, PKG.linkSource, source))
            g.add((node, PKG.linkTarget, target))
            g.add((node, PKG.relation, CODE[f"linkrelation/{link.relation}"]))
            g.add((node, PKG.score, Literal(decimal_value(link.score))))
            g.add((node, PKG.method, Literal(link.method)))
            emitter.evidence(g, node, source_doc.source, link.source_span, name="source", prop=PKG.sourceEvidence)
            emitter.cite(g, node, fact.end.quote, name="target", prop=PKG.targetEvidence)
        elif fact.gap is not None:
            gap, lower = fact.gap, by_key[fact.gap.lower]
            item = fact.end.part
            digest = hashlib.sha1(fact.end.quote.exact.encode("utf-8")).hexdigest()[:10]
            node = URIRef(f"{emitter.doc_iri(lower.key)}/gap/{_relative(item, emitter.base)}/{digest}")
            g.add((node, RDF.type, PKG.Gap))
            g.add((node, PKG.gapIn, emitter.doc_iri(lower.key)))
            g.add((node, PKG.gapItem, item))
            g.add((node, PKG.score, Literal(decimal_value(gap.score))))
            emitter.cite(g, node, fact.end.quote, name="measure", prop=PKG.targetEvidence)
            if gap.nearest is not None:
                emitter.evidence(g, node, lower.source, gap.nearest, name="nearest", prop=PKG.sourceEvidence)
    return g
