"""Where a document belongs: the jurisdiction and level its issuers, title, 文号 or own words (我市) point to.

`describe` and the report reader ask `place`; the citation reader asks `jurisdiction_of` for a cited document's
issuers. Place names themselves are looked up by the finder of the `Ctx` (`jurisdiction.find_jurisdiction`).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from policykg.graph.model import Jurisdiction, Level
from policykg.graph.reading import Ctx
from policykg.graph.titles import fold


def _is_national(ctx: Ctx, name: str) -> bool:
    view = fold(name)
    if any(view.startswith(p) for p in ctx.rules.national_prefixes):
        return True
    # A ministry is written without a place (民政部); local party departments carry one (省委组织部).
    return view.endswith("部") and not any(view.startswith(p) for p, _ in ctx.rules.level_prefixes)


def _national(ctx: Ctx) -> Jurisdiction:
    found = ctx.find(ctx.rules.national.name)
    return found if found is not None and found.level == "national" else ctx.rules.national


def jurisdiction_of(ctx: Ctx, issuers: Sequence[str]) -> Jurisdiction | None:
    """The place of the first issuer that names one; the country for central bodies."""
    for issuer in issuers:
        found = ctx.find(issuer)
        if found is not None:
            return found
        if _is_national(ctx, issuer):
            return _national(ctx)
    return None


def _levels_from(ctx: Ctx, issuers: Sequence[str]) -> tuple[Level, ...]:
    """Levels suggested by issuers written without a place (省民政厅) or by the text speaking of itself (我市)."""
    for issuer in issuers:
        view = fold(issuer)
        for prefix, level in ctx.rules.level_prefixes:
            if view.startswith(prefix):
                return (level,)
    counts: Counter[tuple[Level, ...]] = Counter()
    for span in ctx.spans:
        chunk = ctx.view[span.start : span.end]
        for word, levels in ctx.rules.self_reference.items():
            counts[levels] += chunk.count(word)
    if counts and counts.most_common(1)[0][1] > 0:
        return counts.most_common(1)[0][0]
    return ()


def _place_in_text(ctx: Ctx, levels: tuple[Level, ...]) -> Jurisdiction | None:
    """The place of the wanted level named most often in the text's clauses (first named on a tie)."""
    counts: Counter[str] = Counter()
    first: dict[str, Jurisdiction] = {}
    for span in ctx.spans:
        for clause in re.split(r"[,;:。!?\n《》()、]", ctx.view[span.start : span.end]):
            found = ctx.find(clause)
            if found is not None and found.level in levels:
                counts[found.code] += 1
                first.setdefault(found.code, found)
    if not counts:
        return None
    best = max(counts.values())
    return next(j for code, j in first.items() if counts[code] == best)


def place(
    ctx: Ctx, issuers: Sequence[str], titles: Sequence[str], number: str
) -> tuple[Jurisdiction | None, Level]:
    """Jurisdiction and level: from the issuers, the title, the 文号, then the text's own words (我市…)."""
    found = jurisdiction_of(ctx, issuers)
    for title in titles:
        found = found or ctx.find(title)
    if found is None and number:
        if any(fold(number).startswith(p) for p in ctx.rules.national_numbers):
            found = _national(ctx)
        else:
            found = ctx.find(number)
    if found is not None:
        return found, found.level
    levels = _levels_from(ctx, issuers)
    if not levels:
        return None, "unknown"
    found = _place_in_text(ctx, levels)
    return found, found.level if found is not None else levels[0]
