"""Character-bigram vocabulary: how much two texts share, for telling articles apart and matching headlines.

Used by segmentation (an appended article shares little vocabulary with the policy before it) and by newspaper
pages (a headline goes to the run of paragraphs that shares its words).
"""

from __future__ import annotations

import math
import re
from collections import Counter


def bigrams(text: str) -> Counter[str]:
    """Character bigrams of the word characters (CJK, letters, digits) of `text`, within runs of them."""
    counts: Counter[str] = Counter()
    for run in re.findall(r"[\w]+", text):
        for i in range(len(run) - 1):
            counts[run[i : i + 2]] += 1
    return counts


def cosine(a: Counter[str], b: Counter[str]) -> float:
    """Cosine similarity of two bigram count vectors (0 when either is empty)."""
    if not a or not b:
        return 0.0
    dot = sum(count * b[gram] for gram, count in a.items() if gram in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm


def coverage(part: str, whole: str) -> float:
    """Share of the distinct bigrams of `part` that occur in `whole`."""
    grams = set(bigrams(part))
    if not grams:
        return 1.0
    present = set(bigrams(whole))
    return len(grams & present) / len(grams)


def short_names(text: str) -> set[str]:
    """Short names a text defines: （以下简称《方案》） → 《方案》, （以下简称“意见”） → “意见”."""
    found = re.findall(r"以下(?:简称|称)\s*([《“\"][^》”\"]{1,12}[》”\"])", text)
    return set(found)
