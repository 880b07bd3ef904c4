"""The page `policykg serve` shows at `/`: a query form preloaded with the project's prefixes and every named
query as a worked example (parameters bound to the example of its description), offline, no script.

Everything on the page is escaped; the forms send GET /query, which the read-only guard in front of oxigraph
answers like any SPARQL client's request.
"""

from __future__ import annotations

import html
import re
from functools import cache

from policykg.graph.store import inject_values
from policykg.query import load_queries
from policykg.sparql_forms import project_prefixes

_EXAMPLE = re.compile(r"e\.g\.\s*([^\s,;，；)]+)")
_STYLE = """body{font-family:"Noto Sans CJK SC","Noto Sans SC",sans-serif;margin:20px 32px;color:#222;font-size:14px}
textarea{width:100%;font-family:monospace;font-size:13px}h2{font-size:16px;margin:18px 0 4px}
details{margin:4px 0}summary{cursor:pointer}.zh{color:#555}"""


def _example_params(description: str) -> str:
    found = _EXAMPLE.search(description)
    return found.group(1) if found else ""


def example_text(name: str) -> str:
    """A named query ready to run: its parameters bound (VALUES) to the example its header gives, or empty."""
    query = load_queries()[name]
    params = {f"param_{p}": ("" if "IRI" in d else _example_params(d)) for p, d in query.params.items()}
    return inject_values(query.text, params) if params else query.text


@cache
def page_html() -> str:
    prefixes = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in project_prefixes().items())
    starter = prefixes + "\nSELECT ?task ?title WHERE {\n  ?task a pkg:Task ; dcterms:title ?title .\n} LIMIT 20\n"
    parts = [
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\">",
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "form-action 'self'\">",
        f"<title>policykg SPARQL 端点</title><style>{_STYLE}</style></head><body>",
        "<h1>policykg SPARQL 端点（只读）</h1>",
        "<p>查询地址 <code>/query</code>（SPARQL 1.1 Protocol，GET 或 POST）。默认图是所有命名图的并集。"
        "下面的查询已声明项目前缀（pkg: eli: oa: skos: dcterms: …）。</p>",
        "<form action=\"/query\" method=\"get\"><textarea name=\"query\" rows=\"14\">",
        html.escape(starter), "</textarea><p><button type=\"submit\">运行</button></p></form>",
        f"<h2>命名查询示例（{len(load_queries())} 个，与 <code>policykg query NAME</code> 相同）</h2>",
    ]
    for name, query in load_queries().items():
        parts += [
            "<details><summary><code>", html.escape(name), "</code> — ", html.escape(query.question_zh),
            " <span class=\"zh\">", html.escape(query.question), "</span></summary>",
            "<form action=\"/query\" method=\"get\"><textarea name=\"query\" rows=\"12\">",
            html.escape(example_text(name)), "</textarea><button type=\"submit\">运行</button></form></details>",
        ]
    parts.append("</body></html>\n")
    return "".join(parts)
