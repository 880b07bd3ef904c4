"""Task links and gaps as RDF, into the derived graph (they are computed from several sources at once).

A link is a `pkg:TaskLink` node, `{source task}/link/{relation}/{target part, relative to the base}`, with its
score, method and the best-matching clause on each side (`pkg:sourceEvidence`, `pkg:targetEvidence`), plus the plain
triple (`pkg:implements`, `pkg:sameSubjectAs`, `pkg:revises`) for simple queries. A gap is a `pkg:Gap` node,
`{lower document}/gap/{higher item, relative to the base}/{digest of the measure}`. Natural keys only: the same
corpus gives the same IRIs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence

from rdflib import RDF, Literal, URIRef

from policykg.graph.emit import CODE, PKG, Emitter, Triples, decimal_value
from policykg.graph.model import Document, Gap, TaskLink

_PLAIN = {"implements": PKG.implements, "same-subject": PKG.sameSubjectAs, "revises": PKG.revises}


def _relative(iri: URIRef, base: str) -> str:
    return str(iri)[len(base) :] if str(iri).startswith(base) else str(iri)


def link_triples(emitter: Emitter, documents: Sequence[Document], links: Sequence[TaskLink],
                 gaps: Sequence[Gap]) -> Iterator[tuple[URIRef, URIRef, URIRef | Literal]]:
    """The triples of every link and gap, with evidence pointing into the source texts."""
    by_key = {d.key: d for d in documents}
    g = Triples(URIRef(f"{emitter.base}graph/derived"))
    for link in links:
        source_doc, target_doc = by_key[link.source[0]], by_key[link.target[0]]
        source = emitter.part_iri(emitter.doc_iri(source_doc.key), link.source[1])
        target = emitter.part_iri(emitter.doc_iri(target_doc.key), link.target[1])
        node = URIRef(f"{source}/link/{link.relation}/{_relative(target, emitter.base)}")
        g.add((source, _PLAIN[link.relation], target))
        g.add((node, RDF.type, PKG.TaskLink))
        g.add((node, PKG.linkSource, source))
        g.add((node, PKG.linkTarget, target))
        g.add((node, PKG.relation, CODE[f"linkrelation/{link.relation}"]))
        g.add((node, PKG.score, Literal(decimal_value(link.score))))
        g.add((node, PKG.method, Literal(link.method)))
        emitter.evidence(g, node, source_doc.source, link.source_span, name="source", prop=PKG.sourceEvidence)
        emitter.evidence(g, node, target_doc.source, link.target_span, name="target", prop=PKG.targetEvidence)
    for gap in gaps:
        lower, higher = by_key[gap.lower], by_key[gap.higher]
        item = emitter.part_iri(emitter.doc_iri(higher.key), gap.item)
        quote = higher.source.quote(gap.measure)
        digest = hashlib.sha1(quote.encode("utf-8")).hexdigest()[:10]
        node = URIRef(f"{emitter.doc_iri(lower.key)}/gap/{_relative(item, emitter.base)}/{digest}")
        g.add((node, RDF.type, PKG.Gap))
        g.add((node, PKG.gapIn, emitter.doc_iri(lower.key)))
        g.add((node, PKG.gapItem, item))
        g.add((node, PKG.score, Literal(decimal_value(gap.score))))
        emitter.evidence(g, node, higher.source, gap.measure, name="measure", prop=PKG.targetEvidence)
        if gap.nearest is not None:
            emitter.evidence(g, node, lower.source, gap.nearest, name="nearest", prop=PKG.sourceEvidence)
    yield from g
