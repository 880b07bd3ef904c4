"""The ontology, code lists, JSON-LD context and generated documentation: what they must declare and promise."""

from __future__ import annotations

import json
import logging
import re
import shutil
import subprocess
from pathlib import Path

import owlready2
import pytest
from rdflib import DCTERMS, OWL, RDF, RDFS, SKOS, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection

from policykg.docs import write_docs

ROOT = Path(__file__).parent.parent
ONTOLOGY_DIR = ROOT / "ontology"
PKG = Namespace("https://w3id.org/policykg/ontology#")
CODE = "https://w3id.org/policykg/code/"
ELI = Namespace("http://data.europa.eu/eli/ontology#")
CV = Namespace("http://data.europa.eu/m8g/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
ONTOLOGY_IRI = URIRef("https://w3id.org/policykg/ontology")
OWL_TYPES = {OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty}

# Small Java program run against the OWL API bundled in owlready2's HermiT.jar (Java 11+ runs a source file directly).
DL_CHECK = """
import java.io.File;
import org.semanticweb.owlapi.apibinding.OWLManager;
import org.semanticweb.owlapi.model.*;
import org.semanticweb.owlapi.profiles.*;

public class DlCheck {
    public static void main(String[] args) throws Exception {
        OWLOntologyManager manager = OWLManager.createOWLOntologyManager();
        OWLOntology ontology = manager.loadOntologyFromOntologyDocument(new File(args[0]));
        OWLProfileReport report = new OWL2DLProfile().checkOntology(ontology);
        for (OWLProfileViolation violation : report.getViolations()) System.out.println(violation);
        System.out.println("axioms=" + ontology.getAxiomCount() + (report.isInProfile() ? " IN-PROFILE" : " OUT"));
    }
}
"""


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "policykg.ttl", format="turtle")


@pytest.fixture(scope="module")
def codes() -> Graph:
    return Graph().parse(ONTOLOGY_DIR / "codes.ttl", format="turtle")


def pkg_terms(graph: Graph) -> set[URIRef]:
    return {t for t in graph.all_nodes() if isinstance(t, URIRef) and t.startswith(str(PKG))}


def defined_terms(ontology: Graph) -> set[URIRef]:
    return {s for s in pkg_terms(ontology) if any((s, RDF.type, t) in ontology for t in OWL_TYPES)}


def test_ontology_header_carries_version_iri_info_title_and_changelog_pointer(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert ontology.value(ONTOLOGY_IRI, OWL.versionIRI) == URIRef("https://w3id.org/policykg/ontology/0.1.0")
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert {t.language for t in ontology.objects(ONTOLOGY_IRI, DCTERMS.title)} == {"en", "zh"}
    assert ontology.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    changelog = URIRef("https://w3id.org/policykg/ontology/CHANGELOG.md")
    assert changelog in set(ontology.objects(ONTOLOGY_IRI, RDFS.seeAlso))
    assert "## 0.1.0" in (ONTOLOGY_DIR / "CHANGELOG.md").read_text("utf-8")


def test_every_pkg_term_has_exactly_one_owl_type(ontology: Graph) -> None:
    for term in pkg_terms(ontology):
        types = {t for t in ontology.objects(term, RDF.type) if t in OWL_TYPES}
        assert len(types) == 1, f"{term} is typed {types}"


def test_every_pkg_term_has_zh_and_en_labels_and_an_english_definition(ontology: Graph) -> None:
    for term in pkg_terms(ontology):
        labels = {label.language for label in ontology.objects(term, RDFS.label)}
        assert labels == {"en", "zh"}, f"{term} labels {labels}"
        definitions = list(ontology.objects(term, SKOS.definition)) + list(ontology.objects(term, RDFS.comment))
        assert any(d.language == "en" for d in definitions), f"{term} has no English definition"


def test_every_term_docs_design_names_is_defined(ontology: Graph) -> None:
    named = set(re.findall(r"pkg:([A-Za-z0-9]+)", (ROOT / "docs" / "design.md").read_text("utf-8")))
    missing = {PKG[n] for n in named} - defined_terms(ontology)
    assert not missing


def test_every_term_the_emitter_writes_is_defined(ontology: Graph) -> None:
    emitted = set(re.findall(r"PKG\.([A-Za-z0-9]+)", (ROOT / "graph" / "emit.py").read_text("utf-8")))
    assert emitted, "graph/emit.py names no pkg terms"
    assert {PKG[n] for n in emitted} - defined_terms(ontology) == set()


def test_terms_used_by_shapes_context_and_fixtures_are_defined(ontology: Graph) -> None:
    used = pkg_terms(Graph().parse(ONTOLOGY_DIR / "shapes.ttl", format="turtle"))
    for entry in context_terms().values():
        iri = entry.get("@id") if isinstance(entry, dict) else entry
        if isinstance(iri, str) and iri.startswith("pkg:"):
            used.add(PKG[iri[4:]])
    for fixture in (ROOT / "tests" / "fixtures").glob("shapes_*"):
        used |= {PKG[n] for n in re.findall(r"pkg:([A-Za-z0-9]+)", fixture.read_text("utf-8"))}
    assert used - defined_terms(ontology) == set()


@pytest.mark.parametrize(
    ("term", "relation", "parent"),
    [
        (PKG.PolicyDocument, RDFS.subClassOf, ELI.LegalResource),
        (PKG.Section, RDFS.subClassOf, ELI.LegalResourceSubdivision),
        (PKG.Task, RDFS.subClassOf, ELI.LegalResourceSubdivision),
        (PKG.Responsibility, RDFS.subClassOf, CV.Participation),
        (PKG.Agency, RDFS.subClassOf, CV.PublicOrganisation),
        (PKG.CollectiveAgent, RDFS.subClassOf, FOAF.Agent),
        (PKG.Jurisdiction, RDFS.subClassOf, SKOS.Concept),
        (PKG.appliesTo, RDFS.subPropertyOf, ELI.applies),
        (PKG.hasResponsibility, RDFS.subPropertyOf, CV.hasParticipation),
        (PKG.agent, RDFS.subPropertyOf, CV.hasParticipant),
        (PKG.role, RDFS.subPropertyOf, CV.role),
        (PKG.leadUnit, RDFS.subPropertyOf, PKG.responsibleUnit),
        (PKG.coUnit, RDFS.subPropertyOf, PKG.responsibleUnit),
    ],
)
def test_alignment_stated_in_the_design(ontology: Graph, term: URIRef, relation: URIRef, parent: URIRef) -> None:
    assert (term, relation, parent) in ontology


def test_applies_to_avoids_deprecated_and_misleading_eli_terms(ontology: Graph) -> None:
    parents = set(ontology.objects(PKG.appliesTo, RDFS.subPropertyOf))
    assert parents == {ELI.applies}
    for trap in (ELI.implements, ELI.transposes, ELI.based_on, ELI.responsibility_of):
        assert trap not in set(ontology.all_nodes())


def test_property_types_domains_and_ranges_follow_the_emitter(ontology: Graph) -> None:
    assert (PKG.listPosition, RDFS.range, URIRef("http://www.w3.org/2001/XMLSchema#integer")) in ontology
    assert (PKG.hasResponsibility, RDFS.range, PKG.Responsibility) in ontology
    assert (PKG.isAgentOf, OWL.inverseOf, PKG.agent) in ontology
    # deadlines hang on tasks as well as on targets, so pkg:deadline must not claim a domain
    assert ontology.value(PKG.deadline, RDFS.domain) is None
    # textual values carry @zh tags: an xsd:string range would make every such value inconsistent
    for prop in (PKG.asWritten, PKG.dutyText, PKG.indicator, PKG.scope, PKG.deadlineText, PKG.citedTitle):
        assert ontology.value(prop, RDFS.range) is None, prop


def test_shortcuts_document_that_sparql_generates_them(ontology: Graph) -> None:
    for prop in (PKG.leadUnit, PKG.coUnit):
        assert "SPARQL CONSTRUCT" in str(ontology.value(prop, SKOS.scopeNote))
    chain = ontology.value(PKG.responsibleUnit, OWL.propertyChainAxiom)
    assert list(Collection(ontology, chain)) == [PKG.hasResponsibility, PKG.agent]


@pytest.mark.skipif(shutil.which("java") is None, reason="needs Java")
@pytest.mark.parametrize("files", [("policykg.ttl",), ("codes.ttl",), ("policykg.ttl", "codes.ttl")])
def test_ontology_is_in_the_owl2_dl_profile(tmp_path: Path, files: tuple[str, ...]) -> None:
    merged = Graph()
    for name in files:
        merged.parse(ONTOLOGY_DIR / name, format="turtle")
    (tmp_path / "DlCheck.java").write_text(DL_CHECK, encoding="utf-8")
    merged.serialize(tmp_path / "ontology.owl", format="xml")
    hermit = Path(owlready2.__file__).parent / "hermit" / "HermiT.jar"
    result = subprocess.run(
        ["java", "-cp", str(hermit), str(tmp_path / "DlCheck.java"), str(tmp_path / "ontology.owl")],
        capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.stdout.strip().endswith("IN-PROFILE"), result.stdout + result.stderr


SCHEMES = {
    "role": {"lead", "co"},
    "basis": {"explicit", "list-order", "declared-list-order", "sole-unit", "inherited", "merged-cell"},
    "level": {"national", "provincial", "municipal", "county", "unknown"},
    "status": {"final", "draft", "report"},
    "doctype": {"yijian", "shishi-fangan", "shishi-yijian", "xingdong-fangan", "tongzhi", "fangan", "guihua", "banfa",
                "report"},
    "comparator": {"ge", "gt", "le", "lt", "eq", "approx"},
    "agencykind": {"government", "department", "party", "court", "mass-organisation", "regulator", "collective",
                   "unknown"},
}


@pytest.mark.parametrize(("scheme", "notations"), sorted(SCHEMES.items()))
def test_code_list_has_its_notations_at_their_iris(codes: Graph, scheme: str, notations: set[str]) -> None:
    scheme_iri = URIRef(CODE + scheme)
    assert (scheme_iri, RDF.type, SKOS.ConceptScheme) in codes
    concepts = set(codes.subjects(SKOS.inScheme, scheme_iri))
    assert {str(codes.value(c, SKOS.notation)) for c in concepts} == notations
    for concept in concepts:
        assert concept == URIRef(f"{CODE}{scheme}/{codes.value(concept, SKOS.notation)}")


def test_every_code_has_zh_and_en_labels_and_a_definition(codes: Graph) -> None:
    for concept in codes.subjects(RDF.type, SKOS.Concept):
        labels = [label for label in codes.objects(concept, SKOS.prefLabel) if isinstance(label, Literal)]
        assert sorted(label.language for label in labels) == ["en", "zh"], concept
        assert any(d.language == "en" for d in codes.objects(concept, SKOS.definition)), concept


def test_doctype_zh_labels_name_the_document_types_the_emitter_looks_up(codes: Graph) -> None:
    zh = {str(label) for c in codes.subjects(SKOS.inScheme, URIRef(CODE + "doctype"))
          for label in codes.objects(c, SKOS.prefLabel) if label.language == "zh"}
    assert {"意见", "实施方案", "实施意见", "行动方案", "通知", "方案", "规划", "办法"} <= zh


def context_terms() -> dict[str, object]:
    return json.loads((ONTOLOGY_DIR / "context.jsonld").read_text("utf-8"))["@context"]


def test_context_maps_every_pkg_term_with_ids_for_object_properties(ontology: Graph) -> None:
    terms = context_terms()
    for term in defined_terms(ontology):
        name = term[len(str(PKG)):]
        entry = terms[name]
        iri = entry["@id"] if isinstance(entry, dict) else entry
        assert iri == f"pkg:{name}"
        if (term, RDF.type, OWL.ObjectProperty) in ontology:
            assert entry["@type"] == "@id", name


def test_context_turns_compact_json_into_the_emitter_triples() -> None:
    document = {
        "@context": context_terms(),
        "@id": "id:doc/520000/x/part/1/resp/a",
        "@type": "Responsibility",
        "agent": "id:agency/520000/a",
        "role": "code:role/lead",
        "listPosition": 1,
        "asWritten": {"@value": "省民政厅", "@language": "zh"},
    }
    graph = Graph().parse(data=json.dumps(document), format="json-ld")
    resp = URIRef("https://w3id.org/policykg/id/doc/520000/x/part/1/resp/a")
    assert (resp, RDF.type, PKG.Responsibility) in graph
    assert (resp, PKG.agent, URIRef("https://w3id.org/policykg/id/agency/520000/a")) in graph
    assert (resp, PKG.role, URIRef(CODE + "role/lead")) in graph
    assert (resp, PKG.listPosition, Literal(1)) in graph
    assert (resp, PKG.asWritten, Literal("省民政厅", lang="zh")) in graph


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_docs(tmp_path_factory.mktemp("docs"))


def test_docs_document_every_pkg_term_and_code_list(docs: Path, ontology: Graph, codes: Graph) -> None:
    page = docs.read_text("utf-8")
    assert docs.name == "index.html"
    for term in defined_terms(ontology):
        assert str(term) in page, term
    codes_page = (docs.parent / "codes.html").read_text("utf-8")
    for concept in codes.subjects(RDF.type, SKOS.Concept):
        assert str(concept) in codes_page, concept
    for name in ("policykg.ttl", "codes.ttl", "shapes.ttl", "context.jsonld", "CHANGELOG.md"):
        assert (docs.parent / name).exists(), name


def test_docs_load_no_remote_scripts_or_styles(docs: Path) -> None:
    for page in (docs, docs.parent / "codes.html"):
        text = page.read_text("utf-8")
        assert not re.search(r"<script[^>]+src\s*=", text), page.name
        assert not re.search(r"<link[^>]+href\s*=\s*[\"']?(?:https?:)?//", text), page.name
        assert not re.search(r"<img[^>]+src\s*=\s*[\"']?(?:https?:)?//", text), page.name
        assert not re.search(r"@import", text), page.name


def test_docs_leave_the_root_logger_as_they_found_it(tmp_path: Path) -> None:
    root = logging.getLogger()
    before = (root.level, list(root.handlers), logging.root.manager.disable)
    write_docs(tmp_path)
    assert (root.level, list(root.handlers), logging.root.manager.disable) == before
