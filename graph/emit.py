"""Emit RDF: documents, tasks, responsibilities, targets, duties and agencies as one named graph per source.

IRIs are built from natural keys (GB/T 2260 code, 文号 or a title digest, outline path, canonical agency name), and
no blank nodes or timestamps are used, so the same input gives the same triples and byte-identical dumps.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, ORG, PROV, SKOS

from policykg.graph.lexicon import to_key
from policykg.graph.model import (
    Agency,
    Deadline,
    Document,
    DocumentLink,
    Jurisdiction,
    Locator,
    OutlineNode,
    ReportedDocument,
    SourceText,
    Span,
    Task,
)
from policykg.graph.outline import iter_nodes
from policykg.graph.spans import SpanIndex

DEFAULT_BASE = "https://w3id.org/policykg/id/"
PKG = Namespace("https://w3id.org/policykg/ontology#")
CODE = Namespace("https://w3id.org/policykg/code/")
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
OA = Namespace("http://www.w3.org/ns/oa#")
QUDT = Namespace("http://qudt.org/schema/qudt/")
UNIT = Namespace("http://qudt.org/vocab/unit/")
TIME = Namespace("http://www.w3.org/2006/time#")

PREFIXES = {
    "pkg": PKG, "code": CODE, "eli": ELI, "cv": CV, "oa": OA, "qudt": QUDT, "unit": UNIT, "time": TIME,
    "dcterms": DCTERMS, "foaf": FOAF, "org": ORG, "prov": PROV, "skos": SKOS, "xsd": XSD,
}
#: what an IRI path segment may hold as it is (RFC 3987 ipchar less pct-encoded): ASCII iunreserved, sub-delims,
#: ":" and "@", and ucschar (no controls, private use or non-characters); anything else is percent-encoded
_UCSCHAR = ((0xA0, 0xD7FF), (0xF900, 0xFDCF), (0xFDF0, 0xFFEF),
            *((plane, plane + 0xFFFD) for plane in range(0x10000, 0xE0000, 0x10000)), (0xE1000, 0xEFFFD))
_NOT_IPCHAR = re.compile("[^A-Za-z0-9\\-._~!$&'()*+,;=:@"
                         + "".join(f"{chr(low)}-{chr(high)}" for low, high in _UCSCHAR) + "]")
QUOTE_CONTEXT = 8


def _percent(match: re.Match[str]) -> str:
    return "".join(f"%{b:02X}" for b in match.group().encode("utf-8", "surrogatepass"))


@lru_cache(maxsize=65536)
def iri_segment(text: str) -> str:
    """Keep Chinese and other IRI characters readable; percent-encode every character an IRI path segment cannot
    hold (RFC 3987), so no name from a document can make an IRI the store rejects (a C1 control, U+FFFF, "[", …).
    Cached: the same agency and document names are minted into IRIs again and again."""
    return _NOT_IPCHAR.sub(_percent, text)


@dataclass(frozen=True)
class Vocab:
    """Code-list lookups and unit mapping, read once per build from data files."""

    doctypes: dict[str, URIRef]  # 意见 → code/doctype/yijian
    units: dict[str, str]
    count_unit: str


def load_vocab(codes_ttl: Path | None = None) -> Vocab:
    codes = Graph()
    if codes_ttl is None:
        codes.parse(data=resources.files("policykg.ontology").joinpath("codes.ttl").read_text("utf-8"),
                    format="turtle")
    else:
        codes.parse(codes_ttl, format="turtle")
    scheme = CODE["doctype"]
    doctypes = {
        str(label): concept
        for concept in codes.subjects(SKOS.inScheme, scheme)
        for label in codes.objects(concept, SKOS.prefLabel)
        if getattr(label, "language", None) == "zh"
    }
    units = tomllib.loads(resources.files("policykg.graph.data").joinpath("qudt_units.toml").read_text("utf-8"))
    return Vocab(doctypes, dict(units["units"]), units["count_unit"])


class Triples(list[tuple[URIRef, URIRef, URIRef | Literal]]):
    """The triples of one named graph, in the order emitted: a plain list (an rdflib Graph cost ~20 µs per add,
    a third of the build at scale). Duplicates are dropped where the graph is loaded or written."""

    def __init__(self, identifier: URIRef) -> None:
        super().__init__()
        self.identifier = identifier
        self.agencies: set[str] = set()  # agency keys the triples refer to (described in the shared graph)
        self.places: dict[str, Jurisdiction] = {}  # jurisdictions referred to, by code

    def add(self, triple: tuple[URIRef, URIRef, URIRef | Literal]) -> None:
        self.append(triple)


class Emitter:
    """Turns one source's documents into the triples of its named graph.

    `parent_of` gives a jurisdiction's enclosing one (GB/T 2260 hierarchy), for skos:broader between places.
    """

    def __init__(self, base: str, vocab: Vocab,
                 parent_of: Callable[[Jurisdiction], Jurisdiction | None] | None = None) -> None:
        self.base = base if base.endswith("/") else base + "/"
        self.vocab = vocab
        self.parent_of = parent_of or (lambda _: None)
        self._sequence: dict[int, int] = {}
        self._used_places: dict[str, Jurisdiction] = {}
        # doc → ({id(node): (node, IRI)}, IRIs given): parts met so far, so that no two share an IRI
        self._parts: dict[str, tuple[dict[int, tuple[OutlineNode, URIRef]], set[URIRef]]] = {}

    # identifiers --------------------------------------------------------------------------------------------
    def source_iri(self, source: SourceText) -> URIRef:
        return URIRef(f"{self.base}source/{iri_segment(source_name(source.file_name))}")

    def graph_iri(self, source: SourceText) -> URIRef:
        return URIRef(f"{self.base}graph/source/{iri_segment(source_name(source.file_name))}")

    def doc_iri(self, key: str) -> URIRef:
        return URIRef(self.base + "doc/" + "/".join(iri_segment(p) for p in key.split("/", 1)))

    def agency_iri(self, agency: Agency) -> URIRef:
        code, name = agency.key.split("/", 1)
        return URIRef(f"{self.base}agency/{code}/{iri_segment(name)}")

    def place_iri(self, jurisdiction: Jurisdiction) -> URIRef:
        return URIRef(f"{self.base}place/{jurisdiction.code}")

    def part_iri(self, doc: URIRef, node: OutlineNode) -> URIRef:
        """`{doc}/part/{outline path}`; a second part with the same path in one document (a heading numbered twice)
        gets `-2`, `-3` … in the order parts are met, so two parts never share an IRI (and their evidence)."""
        parts, taken = self._parts.setdefault(str(doc), ({}, set()))
        known = parts.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        iri, n = URIRef(f"{doc}/part/{iri_segment(node.path_id)}"), 1
        while iri in taken:
            n += 1
            iri = URIRef(f"{doc}/part/{iri_segment(node.path_id)}-{n}")
        parts[id(node)] = (node, iri)
        taken.add(iri)
        return iri

    # graph -----------------------------------------------------------------------------------------------------
    def emit_source(self, source: SourceText, documents: list[Document], agencies: dict[str, Agency],
                    version: str) -> Triples:
        """The facts read from one source. Agencies and places are only referred to here: their descriptions go once
        into the shared graph (`emit_shared`), so no triple sits in two graphs and union queries see each once."""
        g = Triples(self.graph_iri(source))
        src = self.source_iri(source)
        g.extend(self.source_file(source))
        graph_node = g.identifier
        g.add((graph_node, PROV.wasDerivedFrom, src))
        g.add((graph_node, PROV.wasGeneratedBy, URIRef(f"{self.base}activity/build")))
        self._used_places = g.places
        for doc in documents:
            self._document(g, doc, agencies, g.agencies)
        return g

    def source_file(self, source: SourceText) -> Triples:
        """The description of a source file (what derived evidence points at, too)."""
        g = Triples(self.graph_iri(source))
        src = self.source_iri(source)
        g.add((src, RDF.type, PKG.SourceFile))
        g.add((src, DCTERMS.identifier, Literal(source.file_name)))
        g.add((src, PKG.sha256, Literal(source.sha256)))
        g.add((src, PKG.textSha256, Literal(source.text_sha256)))
        g.add((src, PKG.normalization, Literal("reflowed-columns" if source.is_page else "line-endings")))
        g.add((src, PKG.mediaType, Literal(source.media_type)))
        if source.encoding:
            g.add((src, PKG.encoding, Literal(source.encoding)))
        return g

    def name_parts(self, doc: Document) -> None:
        """Give a document's parts their IRIs in the order `emit_source` meets them (outline order), for an emitter
        that did not emit the document itself: a heading numbered twice gets the same `-2` here as there."""
        d = self.doc_iri(doc.key)
        for node in iter_nodes(doc.outline):
            self.part_iri(d, node)

    def shared_graph_iri(self) -> URIRef:
        return URIRef(f"{self.base}graph/agencies")

    def emit_shared(self, agencies: dict[str, Agency], used: set[str], places: dict[str, Jurisdiction],
                    version: str) -> Triples:
        """`graph/agencies`: every agency and place the source graphs refer to, and the build activity, described
        once (they were repeated in each source graph, which made union queries return K copies of a label)."""
        g = Triples(self.shared_graph_iri())
        activity = URIRef(f"{self.base}activity/build")
        software = URIRef(f"{self.base}software/policykg/{version}")
        g.add((activity, RDF.type, PROV.Activity))
        g.add((activity, PROV.wasAssociatedWith, software))
        g.add((software, RDF.type, PROV.SoftwareAgent))
        self._used_places = places = dict(places)
        for key in sorted(used):
            self._agency(g, agencies[key])
        done: set[str] = set()
        while len(done) < len(places):  # a place's parents are added as they are met
            for code in sorted(set(places) - done):
                done.add(code)
                self._place(g, places[code])
        return g

    def _document(self, g: Triples, doc: Document, agencies: dict[str, Agency], used: set[str]) -> None:
        d = self.doc_iri(doc.key)
        source = doc.source
        g.add((d, RDF.type, PKG.NewsReport if doc.status == "report" else PKG.PolicyDocument))
        g.add((d, DCTERMS.title, Literal(doc.title, lang="zh")))
        g.add((d, ELI.title, Literal(doc.title, lang="zh")))
        g.add((d, PKG.source, self.source_iri(source)))
        g.add((d, PKG.status, CODE[f"status/{doc.status}"]))
        if doc.doc_number:
            g.add((d, ELI.id_local, Literal(doc.doc_number)))
        if doc.date:
            g.add((d, ELI.date_document, Literal(doc.date, datatype=XSD.date)))
        if doc.level != "unknown":
            g.add((d, PKG.level, CODE[f"level/{doc.level}"]))
        if doc.jurisdiction:
            g.add((d, ELI.jurisdiction, self.place_iri(doc.jurisdiction)))
            self._used_places[doc.jurisdiction.code] = doc.jurisdiction
        if doc.status == "report":
            g.add((d, ELI.type_document, CODE["doctype/report"]))
            if doc.report_kind:
                g.add((d, PKG.reportKind, CODE[f"reportkind/{doc.report_kind}"]))
        elif doc.doc_type in self.vocab.doctypes:
            g.add((d, ELI.type_document, self.vocab.doctypes[doc.doc_type]))
        if doc.article.title_span:
            self._evidence(g, d, source, doc.article.title_span)
        for name, value in (("doc-number", doc.doc_number), ("date", doc.date)):  # 文号 and date: where stated
            span = doc.field_evidence.get(name.replace("-", "_"))
            if value and span is not None:
                self.evidence(g, d, source, span, name=f"evidence-{name}")
        for key in doc.issuer_keys:
            used.add(key)
            g.add((d, ELI.passed_by, self.agency_iri(agencies[key])))
        self._links(g, d, doc.links)
        if doc.reported:
            self._reported(g, d, doc.reported, agencies, used)
        self._sequence = {id(node): n for n, node in enumerate(iter_nodes(doc.outline), start=1)}
        self._tasks = {id(task.node) for task in doc.tasks}
        for node in doc.outline:
            self._part(g, d, d, node, doc)
        for task in doc.tasks:
            self._task(g, d, task, doc, agencies, used)
        part_of = SpanIndex((p, node) for node in iter_nodes(doc.outline) for p in node.paragraphs)
        duty_keys: set[str] = set()
        for duty in sorted(doc.duties + [x for t in doc.tasks for x in t.duties], key=lambda x: x.span):
            iri = URIRef(f"{d}/duty/{natural_key(duty_keys, duty.agent_key, duty.pattern, duty.duty)}")
            g.add((d, PKG.hasDuty, iri))
            g.add((iri, RDF.type, PKG.Duty))
            agent = agencies[duty.agent_key]
            used.add(agent.key)
            g.add((iri, PKG.agent, self.agency_iri(agent)))
            for key in duty.partner_keys:
                used.add(key)
                g.add((iri, PKG.partner, self.agency_iri(agencies[key])))
            g.add((iri, PKG.dutyText, Literal(duty.duty, lang="zh")))
            g.add((iri, PKG.pattern, Literal(duty.pattern)))
            part = part_of.first(duty.span.start)  # the innermost part: its own paragraphs hold the duty
            if part is not None:
                g.add((iri, PKG.inPart, self.part_iri(d, part)))
            self._evidence(g, iri, source, duty.span)

    def _links(self, g: Triples, d: URIRef, links: list[DocumentLink]) -> None:
        for link in links:
            if link.relation == "earlier-version-of" and link.target_key:
                g.add((d, PKG.earlierVersionOf, self.doc_iri(link.target_key)))
            elif link.target_key:
                g.add((d, PKG.appliesTo if link.relation == "applies" else ELI.cites, self.doc_iri(link.target_key)))
            else:
                g.add((d, PKG.appliesToTitle if link.relation == "applies" else PKG.citedTitle,
                       Literal(link.title, lang="zh")))

    def _reported(self, g: Triples, report: URIRef, reported: ReportedDocument, agencies: dict[str, Agency],
                  used: set[str]) -> None:
        """A report's subject: the corpus document itself, or a node describing the document as reported."""
        r = self.doc_iri(reported.key)
        g.add((report, PKG.reportsOn, r))
        if reported.in_corpus:
            return
        g.add((r, RDF.type, PKG.PolicyDocument))
        g.add((r, DCTERMS.title, Literal(reported.title, lang="zh")))
        g.add((r, ELI.title, Literal(reported.title, lang="zh")))
        g.add((r, PKG.status, CODE[f"status/{reported.status}"]))
        if reported.doc_type in self.vocab.doctypes:
            g.add((r, ELI.type_document, self.vocab.doctypes[reported.doc_type]))
        if reported.jurisdiction:
            g.add((r, ELI.jurisdiction, self.place_iri(reported.jurisdiction)))
            if reported.jurisdiction.level != "unknown":
                g.add((r, PKG.level, CODE[f"level/{reported.jurisdiction.level}"]))
            self._used_places[reported.jurisdiction.code] = reported.jurisdiction
        for key in reported.issuer_keys:
            used.add(key)
            g.add((r, ELI.passed_by, self.agency_iri(agencies[key])))
        self._links(g, r, reported.links)

    def _part(self, g: Triples, doc: URIRef, parent: URIRef, node: OutlineNode, document: Document) -> None:
        iri = self.part_iri(doc, node)
        is_task = id(node) in self._tasks
        g.add((iri, RDF.type, PKG.Task if is_task else PKG.Section))
        g.add((iri, ELI.is_part_of, parent))
        g.add((parent, ELI.has_part, iri))
        g.add((iri, ELI.number, Literal(node.number)))
        if node.marker:
            g.add((iri, PKG.marker, Literal(node.marker)))
        g.add((iri, PKG.outlinePath, Literal(node.path_id)))
        g.add((iri, PKG.sequence, Literal(self._sequence[id(node)])))
        g.add((iri, DCTERMS.title, Literal(node.heading, lang="zh")))
        key = document.source.key[node.heading_span.start : node.heading_span.end].strip()
        if key != node.heading:
            g.add((iri, PKG.matchKey, Literal(key)))
        heading = node.heading_span if node.heading_span.end > node.heading_span.start else node.span
        self._evidence(g, iri, document.source, node.span if is_task else heading)
        for child in node.children:
            self._part(g, doc, iri, child, document)

    def _task(self, g: Triples, d: URIRef, task: Task, doc: Document, agencies: dict[str, Agency],
              used: set[str]) -> None:
        t = self.part_iri(d, task.node)
        source = doc.source
        for resp in task.responsibilities:
            agency = agencies[resp.agency_key]
            used.add(agency.key)
            r = URIRef(f"{t}/resp/{iri_segment(agency.name)}")
            g.add((t, PKG.hasResponsibility, r))
            g.add((r, RDF.type, PKG.Responsibility))
            g.add((r, PKG.agent, self.agency_iri(agency)))
            g.add((r, PKG.role, CODE[f"role/{resp.role}"]))
            g.add((r, PKG.basis, CODE[f"basis/{resp.basis}"]))
            for written in sorted({resp.mention.written, *(m.written for m, _ in resp.also)}):
                g.add((r, PKG.asWritten, Literal(written, lang="zh")))
            if resp.position is not None:
                g.add((r, PKG.listPosition, Literal(resp.position)))
            spans = sorted({resp.evidence, *(span for _, span in resp.also)})
            for n, span in enumerate(spans, start=1):
                self._evidence(g, r, source, span, n)
        target_keys: set[str] = set()
        for target in task.targets:
            key = natural_key(target_keys, target.indicator, target.comparator, repr(target.value), target.unit)
            iri = URIRef(f"{t}/target/{key}")
            g.add((t, PKG.hasTarget, iri))
            g.add((iri, RDF.type, PKG.Target))
            g.add((iri, PKG.indicator, Literal(target.indicator, lang="zh")))
            g.add((iri, PKG.comparator, CODE[f"comparator/{target.comparator}"]))
            q = URIRef(f"{iri}/quantity")
            g.add((iri, PKG.quantity, q))
            g.add((q, RDF.type, QUDT.QuantityValue))
            g.add((q, QUDT.numericValue, Literal(decimal_value(target.value), datatype=XSD.decimal)))
            g.add((q, QUDT.unit, UNIT[self.vocab.units.get(target.unit, self.vocab.count_unit)]))
            g.add((q, PKG.unitText, Literal(target.unit)))
            if target.scope:
                g.add((iri, PKG.scope, Literal(target.scope, lang="zh")))
            if target.deadline:
                self._deadline(g, iri, URIRef(f"{iri}/deadline"), target.deadline)
            self._evidence(g, iri, source, target.span)
        for n, deadline in enumerate(task.deadlines, start=1):
            self._deadline(g, t, URIRef(f"{t}/deadline/{n}"), deadline)

    def _deadline(self, g: Triples, owner: URIRef, iri: URIRef, deadline: Deadline) -> None:
        g.add((owner, PKG.deadline, iri))
        g.add((owner, PKG.deadlineText, Literal(deadline.text, lang="zh")))
        if deadline.start_year and deadline.end_year:
            g.add((iri, RDF.type, TIME.Interval))
            for prop, year, tail in ((TIME.hasBeginning, deadline.start_year, "start"),
                                     (TIME.hasEnd, deadline.end_year, "end")):
                instant = URIRef(f"{iri}/{tail}")
                g.add((iri, prop, instant))
                g.add((instant, RDF.type, TIME.Instant))
                g.add((instant, TIME.inXSDgYear, Literal(f"{year:04d}", datatype=XSD.gYear)))
            return
        g.add((iri, RDF.type, TIME.Instant))
        if deadline.year and deadline.month:
            g.add((iri, TIME.inXSDgYearMonth,
                   Literal(f"{deadline.year:04d}-{deadline.month:02d}", datatype=XSD.gYearMonth)))
        elif deadline.year:
            g.add((iri, TIME.inXSDgYear, Literal(f"{deadline.year:04d}", datatype=XSD.gYear)))

    def _agency(self, g: Triples, agency: Agency) -> None:
        a = self.agency_iri(agency)
        g.add((a, RDF.type, PKG.CollectiveAgent if agency.kind == "collective" else PKG.Agency))
        g.add((a, SKOS.prefLabel, Literal(agency.name, lang="zh")))
        for alias in sorted(agency.aliases):
            if alias != agency.name:
                g.add((a, SKOS.altLabel, Literal(alias, lang="zh")))
        for form in sorted({agency.name, *agency.aliases}):
            key = to_key(form, simplify=True)
            if key != form:
                g.add((a, PKG.matchKey, Literal(key)))
        g.add((a, PKG.jurisdiction, self.place_iri(agency.jurisdiction)))
        g.add((a, ORG.classification, CODE[f"agencykind/{agency.kind}"]))
        if not agency.resolved:
            g.add((a, PKG.resolved, Literal(False)))
        self._used_places[agency.jurisdiction.code] = agency.jurisdiction

    def _place(self, g: Triples, place: Jurisdiction) -> None:
        p = self.place_iri(place)
        g.add((p, RDF.type, PKG.Jurisdiction))
        g.add((p, SKOS.inScheme, CODE["place"]))
        g.add((p, SKOS.notation, Literal(place.code)))
        g.add((p, SKOS.prefLabel, Literal(place.name, lang="zh")))
        if place.level != "unknown":
            g.add((p, PKG.level, CODE[f"level/{place.level}"]))
        parent = self.parent_of(place)
        if parent is not None:
            g.add((p, SKOS.broader, self.place_iri(parent)))
            self._used_places.setdefault(parent.code, parent)

    def _evidence(self, g: Triples, fact: URIRef, source: SourceText, span: Span, n: int = 1) -> None:
        """A Web Annotation selector pair for the span; the n-th statement of a fact gets …/evidence-n."""
        self.evidence(g, fact, source, span, name="evidence" if n == 1 else f"evidence-{n}")

    def evidence(self, g: Triples, fact: URIRef, source: SourceText, span: Span, *, name: str = "evidence",
                 prop: URIRef = PKG.evidence) -> None:
        """`{fact}/{name}`: the exact characters of `source` a fact was read from (position and quote selectors)."""
        self.cite(g, fact, self.quote(source, span), name=name, prop=prop)

    def quote(self, source: SourceText, span: Span) -> Quote:
        """What evidence says of a span of a source, taken while the source is at hand."""
        raw_start, raw_end = source.raw_span(span)
        return Quote(self.source_iri(source), span.start, span.end, raw_start, raw_end, source.locate(span),
                     source.quote(span), source.text[max(0, span.start - QUOTE_CONTEXT) : span.start],
                     source.text[span.end : span.end + QUOTE_CONTEXT])

    def cite(self, g: Triples, fact: URIRef, quote: Quote, *, name: str = "evidence",
             prop: URIRef = PKG.evidence) -> None:
        """`{fact}/{name}` from a Quote (a task link's evidence in another source is quoted before the job)."""
        ev = URIRef(f"{fact}/{name}")
        pos, selector = URIRef(f"{ev}/position"), URIRef(f"{ev}/quote")
        g.add((fact, prop, ev))
        g.add((ev, RDF.type, OA.SpecificResource))
        g.add((ev, OA.hasSource, quote.source))
        g.add((ev, OA.hasSelector, pos))
        g.add((ev, OA.hasSelector, selector))
        g.add((pos, RDF.type, OA.TextPositionSelector))
        g.add((pos, OA.start, Literal(quote.start)))
        g.add((pos, OA.end, Literal(quote.end)))
        g.add((pos, PKG.rawStart, Literal(quote.raw_start)))
        g.add((pos, PKG.rawEnd, Literal(quote.raw_end)))
        where = quote.where
        if where is not None:  # page (PDF), table/row/cell (DOCX, XLSX, CSV, HTML, PDF), page metadata field
            for prop, value in ((PKG.page, where.page), (PKG.tableNumber, where.table), (PKG.rowNumber, where.row),
                                (PKG.cellNumber, where.cell), (PKG.metadataField, where.field)):
                if value is not None:
                    g.add((pos, prop, Literal(value)))
        g.add((selector, RDF.type, OA.TextQuoteSelector))
        g.add((selector, OA.exact, Literal(quote.exact)))
        g.add((selector, OA.prefix, Literal(quote.prefix)))
        g.add((selector, OA.suffix, Literal(quote.suffix)))


@dataclass(frozen=True)
class Quote:
    """A span of a source as its evidence states it: source file, offsets in the text and in the raw file, the
    locator (page, table cell…), the exact characters and their context."""

    source: URIRef
    start: int
    end: int
    raw_start: int
    raw_end: int
    where: Locator | None
    exact: str
    prefix: str
    suffix: str


def source_name(file_name: str) -> str:
    """A source's IRI segment: the stem of a .txt file (as before other formats were read), the whole name of any
    other, so notice.docx and notice.pdf beside each other are two sources."""
    path = Path(file_name)
    return path.stem if path.suffix.lower() == ".txt" else path.name


def natural_key(taken: set[str], *parts: str) -> str:
    """An IRI segment made from what a fact says (a digest of its parts), not from its place in a list: adding a
    sentence elsewhere does not renumber it. The same fact stated twice in one scope gets -2, -3…"""
    digest = hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:12]
    key, n = digest, 2
    while key in taken:
        key, n = f"{digest}-{n}", n + 1
    taken.add(key)
    return key


def decimal_value(value: float) -> Decimal:
    return Decimal(str(int(value))) if float(value).is_integer() else Decimal(str(value))
