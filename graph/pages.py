"""Newspaper pages split into articles by their layout.

Runs of body paragraphs lie between headlines, bylines and source marks; each headline goes to the run it belongs
to (usually the run just before it, since on OCR'd pages headlines follow their bodies, or the run that shares its
words when it stands at the top of the page); runs without a headline (lead boxes, continued columns) join the
article they share a short name (以下简称《X》) or the most vocabulary with. The page analysis itself (which paragraph
is a headline, a byline …) was done once by `reflow.py` and is read from the source's blocks.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

from policykg.graph.lines import matches
from policykg.graph.model import Article, Note, PageBlock, SourceText
from policykg.graph.vocabulary import bigrams, short_names


@dataclass
class _Run:
    """Consecutive body paragraphs of one block of the page (a column run or a lead box)."""

    blocks: list[int]  # indices into the page's blocks
    wide: bool
    headline: int | None = None  # block index of its headline
    members: list[_Run] = field(default_factory=list)  # orphan runs merged into it

    @property
    def first(self) -> int:
        return self.blocks[0]

    @property
    def last(self) -> int:
        return self.blocks[-1]


def _runs(blocks: list[PageBlock], source: SourceText) -> list[_Run]:
    runs: list[_Run] = []
    current: _Run | None = None
    for index, block in enumerate(blocks):
        if block.kind == "source" and current is not None and current.last == index - 1:
            current.blocks.append(index)
            current = None
            continue
        if block.kind != "body":
            current = None
            continue
        if current is None or current.wide != block.wide:
            current = _Run([index], block.wide)
            runs.append(current)
        else:
            current.blocks.append(index)
        if matches("source_mark_inline", source.quote(block.span)):
            current = None
    return runs


def _run_text(run: _Run, blocks: list[PageBlock], source: SourceText) -> str:
    return "\n".join(source.key[blocks[i].span.start : blocks[i].span.end] for i in run.blocks)


def _weighted_overlap(head: str, texts: list[str]) -> list[float]:
    """How much of a headline's vocabulary each text holds, rarer bigrams weighing more."""
    grams = sorted(set(bigrams(head)))  # sorted: float sums independent of hash order
    sets = [set(bigrams(t)) for t in texts]
    weight = {g: math.log(1 + len(texts) / (1 + sum(g in s for s in sets))) for g in grams}
    total = sum(weight.values()) or 1.0
    return [sum(weight[g] for g in grams if g in s) / total for s in sets]


def _tfidf(texts: list[str]) -> list[dict[str, float]]:
    """Bigram TF-IDF vectors of texts, so that words shared by every article (养老服务) weigh little."""
    counts = [bigrams(t) for t in texts]
    df: Counter[str] = Counter()
    for c in counts:
        df.update(set(c))
    n = len(texts)
    return [{g: v * math.log(1 + n / df[g]) for g, v in c.items()} for c in counts]


def _dict_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if not a or not b:
        return 0.0
    dot = sum(v * b[g] for g, v in a.items() if g in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def _assign_headlines(headlines: list[int], runs: list[_Run], blocks: list[PageBlock], source: SourceText) -> None:
    """Give each headline the run it belongs to, best match first (vocabulary + adjacency)."""
    texts = [_run_text(r, blocks, source) for r in runs]
    pairs: list[tuple[float, int, int]] = []
    for h in headlines:
        overlap = _weighted_overlap(source.key[blocks[h].span.start : blocks[h].span.end], texts)
        for r, run in enumerate(runs):
            if run.headline is not None:
                continue
            bonus = 0.0
            if run.last < h and all(b.kind in ("source", "stray") for b in blocks[run.last + 1 : h]):
                bonus = 0.25
            elif run.first > h and all(b.kind in ("byline", "stray") for b in blocks[h + 1 : run.first]):
                bonus = 0.15
            pairs.append((overlap[r] + bonus, h, r))
    pairs.sort(key=lambda p: (-p[0], p[1], p[2]))
    taken: set[int] = set()
    for _score, h, r in pairs:
        if h in taken or runs[r].headline is not None:
            continue
        runs[r].headline = h
        taken.add(h)


def segment_page(source: SourceText) -> tuple[list[Article], list[Note]]:
    warnings: list[Note] = []
    blocks = [b.page for b in source.blocks if b.page is not None]  # the page analysis normalize made
    runs = _runs(blocks, source)
    texts = [_run_text(r, blocks, source) for r in runs]
    headlines = [i for i, b in enumerate(blocks) if b.kind == "headline"]
    quote = [source.quote(b.span) for b in blocks]

    # headline → run: vocabulary shared, plus adjacency (a headline follows its body, or heads the next one).
    # Column runs are matched first; a lead box (wider run) gets a headline only when no column run is left.
    for wide in (False, True):
        _assign_headlines(
            [h for h in headlines if all(r.headline != h for r in runs)],
            [r for r in runs if r.wide == wide],
            blocks,
            source,
        )
    taken_heads = {r.headline for r in runs if r.headline is not None}
    for h in headlines:
        if h not in taken_heads:
            warnings.append(Note(f"有标题而无正文，已略去：{quote[h]!r}", blocks[h].span))

    # orphan runs (lead boxes, continued columns) → article sharing a defined short name or most vocabulary
    heads = [r for r in runs if r.headline is not None] or runs[:1]
    head_texts = []
    for head in heads:
        text = texts[runs.index(head)]
        if head.headline is not None:
            text += "\n" + source.key[blocks[head.headline].span.start : blocks[head.headline].span.end]
        head_texts.append(text)
    orphans = [r for r in runs if r not in heads]
    vectors = _tfidf([*head_texts, *(texts[runs.index(r)] for r in orphans)])
    for o, run in enumerate(orphans):
        names = short_names(texts[runs.index(run)])
        scores = [
            _dict_cosine(vectors[len(heads) + o], vectors[k]) + sum(1.0 for name in names if name in head_texts[k])
            for k in range(len(heads))
        ]
        best = max(range(len(heads)), key=lambda k: (scores[k], -k))
        heads[best].members.append(run)

    articles: list[Article] = []
    order = sorted(heads, key=lambda r: r.headline if r.headline is not None else r.first)
    article_of_block: dict[int, Article] = {}
    for index, head in enumerate(order):
        leads = [m for m in head.members if (m.wide and not head.wide) or short_names(texts[runs.index(m)])]
        rest = sorted([head, *(m for m in head.members if m not in leads)], key=lambda r: r.first)
        para_blocks = [i for run in [*sorted(leads, key=lambda r: r.first), *rest] for i in run.blocks]
        title = quote[head.headline] if head.headline is not None else ""
        span = blocks[head.headline].span if head.headline is not None else None
        article = Article(
            source=source,
            paragraphs=[blocks[i].span for i in para_blocks],
            title=title,
            title_span=span,
            index=index,
        )
        if head.headline is not None:
            article_of_block[head.headline] = article
        for i in para_blocks:
            article_of_block[i] = article
        articles.append(article)
        if head.headline is None:
            warnings.append(Note(f"这篇报道没有标题：{source.quote(blocks[head.first].span)[:20]!r}…",
                                 blocks[head.first].span))

    # bylines: the article of the headline (or body) they follow, else the one they precede
    for i, block in enumerate(blocks):
        if block.kind == "byline":
            target = _byline_target(i, blocks, article_of_block)
            if target is not None and not target.byline:
                target.byline = quote[i]
                article_of_block[i] = target
            else:
                warnings.append(Note(f"多出的署名行，已略去：{quote[i]!r}", block.span))
        elif block.kind == "stray":
            warnings.append(Note(f"多出的零散符号，已略去：{quote[i]!r}", block.span))
        elif i not in article_of_block and block.kind != "headline":
            warnings.append(Note(f"多出的{block.kind}段落，已略去：{quote[i][:20]!r}", block.span))
    return articles, warnings


def _byline_target(i: int, blocks: list[PageBlock], article_of_block: dict[int, Article]) -> Article | None:
    """The article a byline belongs to: the headline or body just before it, else the body just after it."""
    j = i - 1
    while j >= 0 and blocks[j].kind == "stray":
        j -= 1
    if j >= 0 and j in article_of_block:
        return article_of_block[j]
    k = i + 1
    while k < len(blocks) and blocks[k].kind == "stray":
        k += 1
    if k < len(blocks) and k in article_of_block:
        return article_of_block[k]
    return None
