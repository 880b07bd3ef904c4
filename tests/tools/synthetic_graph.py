"""A corpus-shaped graph of any size for the viewers' browser test and bench/bench_view.py: documents with tasks,
each task owned by one to four of a pool of agencies (the first one leads). The overview of it has exactly
documents + documents × tasks_per_document + agencies nodes."""

from __future__ import annotations

import random

ID = "https://w3id.org/policykg/id/"


def synthetic_nquads(documents: int = 10, tasks_per_document: int = 79, agencies: int = 200, seed: int = 7) -> bytes:
    rng = random.Random(seed)
    pkg, eli = "https://w3id.org/policykg/ontology#", "http://data.europa.eu/eli/ontology#"
    title, label = "http://purl.org/dc/terms/title", "http://www.w3.org/2004/02/skos/core#prefLabel"
    rdf_type = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
    graph = f"<{ID}graph/source/synthetic>"
    quads: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        quads.append(f"<{s}> <{p}> {o} {graph} .")

    for a in range(agencies):
        add(f"{ID}agency/100000/a{a}", rdf_type, f"<{pkg}Agency>")
        add(f"{ID}agency/100000/a{a}", label, f'"第{a}号测试机构"@zh')
    for d in range(documents):
        doc = f"{ID}doc/100000/d{d}"
        add(doc, rdf_type, f"<{pkg}PolicyDocument>")
        add(doc, title, f'"关于测试第{d}号政策的通知"@zh')
        add(doc, f"{pkg}level", f"<https://w3id.org/policykg/code/level/{'national' if d < 3 else 'provincial'}>")
        if d >= 3:
            add(doc, f"{pkg}appliesTo", f"<{ID}doc/100000/d{d % 3}>")
        for t in range(tasks_per_document):
            task = f"{doc}/part/{t + 1}"
            add(doc, f"{eli}has_part", f"<{task}>")
            add(task, rdf_type, f"<{pkg}Task>")
            add(task, title, f'"第{t + 1}项任务：推进数字化转型"@zh')
            for position, agency in enumerate(rng.sample(range(agencies), rng.randint(1, 4))):
                resp = f"{task}/resp/a{agency}"
                add(task, f"{pkg}hasResponsibility", f"<{resp}>")
                add(resp, f"{pkg}agent", f"<{ID}agency/100000/a{agency}>")
                role = "lead" if position == 0 else "co"
                add(resp, f"{pkg}role", f"<https://w3id.org/policykg/code/role/{role}>")
    return ("\n".join(quads) + "\n").encode("utf-8")
