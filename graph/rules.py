"""The inferences the graph needs, as SPARQL rules run on the store (no reasoner over the data).

HermiT over the whole ABox took ≈850 s of Java at 1,000 documents; what it added to the data was the memberships of
the five defined classes, which are one join each. These rules give the same triples (tests/test_rules_sparql.py
checks them against HermiT on the bundled corpus), plus the `pkg:leadUnit` / `pkg:coUnit` / `pkg:responsibleUnit`
shortcuts that OWL cannot express (a property chain cannot filter by role). HermiT still checks the ontology on every
build and the data with `--reason full` (graph/validate.py).
"""

from __future__ import annotations

import pyoxigraph as ox

_PREFIXES = """PREFIX pkg: <https://w3id.org/policykg/ontology#>
PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#>
"""
LEAD = "<https://w3id.org/policykg/code/role/lead>"
CO = "<https://w3id.org/policykg/code/role/co>"

#: (name, CONSTRUCT template, WHERE body); run in this order, each over what the previous ones added
RULES: list[tuple[str, str, str]] = [
    ("shortcuts", "?task pkg:responsibleUnit ?agent . ?task ?shortcut ?agent .", f"""
        ?task pkg:hasResponsibility ?resp . ?resp pkg:agent ?agent .
        OPTIONAL {{ ?resp pkg:role ?role .
                    VALUES (?role ?shortcut) {{ ({LEAD} pkg:leadUnit) ({CO} pkg:coUnit) }} }}"""),
    ("LeadResponsibility", "?r a pkg:LeadResponsibility .", f"?r a pkg:Responsibility ; pkg:role {LEAD} ."),
    ("CoOperatingResponsibility", "?r a pkg:CoOperatingResponsibility .",
     f"?r a pkg:Responsibility ; pkg:role {CO} ."),
    ("LeadAgency", "?a a pkg:LeadAgency .", f"""
        ?a a pkg:Agency . FILTER EXISTS {{ ?r pkg:agent ?a ; a pkg:Responsibility ; pkg:role {LEAD} }}"""),
    ("CoOperatingAgency", "?a a pkg:CoOperatingAgency .", f"""
        ?a a pkg:Agency . FILTER EXISTS {{ ?r pkg:agent ?a ; a pkg:Responsibility ; pkg:role {CO} }}"""),
    ("TaskWithTarget", "?t a pkg:TaskWithTarget .", "?t a pkg:Task . FILTER EXISTS { ?t pkg:hasTarget/a pkg:Target }"),
]


def apply_rules(store: ox.Store, derived: str) -> dict[str, int]:
    """Run every rule over the store's union graph and add what it derives to the named graph `derived`.

    Returns how many new triples each rule added (a triple already in the store is not counted)."""
    graph = ox.NamedNode(derived)
    added: dict[str, int] = {}
    for name, template, where in RULES:
        triples = list(store.query(f"{_PREFIXES}CONSTRUCT {{ {template} }} WHERE {{ {where} }}",
                                   use_default_graph_as_union=True))
        new = [ox.Quad(t.subject, t.predicate, t.object, graph) for t in triples]
        fresh = [q for q in new if q not in store]
        store.extend(fresh)
        added[name] = len(fresh)
    return added
