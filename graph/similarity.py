"""Text similarity between passages of policy texts: TF-IDF over character n-grams, cosine of the vectors.

Chinese policy texts share most of their words (推进, 建设, 服务); what tells two tasks apart is the rarer phrase they
share (探访关爱, 能力综合评估). Character 2–3-grams need no word segmentation, and inverse document frequency
over the passages being compared weighs the rare phrases up. scikit-learn's `TfidfVectorizer` does both; the
vectors are L2-normalized, so a sparse dot product is the cosine.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

_NOISE = re.compile(r"[\s\d０-９\W_]+")  # digits, punctuation and spaces carry no subject


def _clean(text: str) -> str:
    return _NOISE.sub(" ", text)


class Similarity:
    """Vectors for a fixed list of texts (fitted on them), compared by cosine."""

    def __init__(self, texts: Sequence[str], ngrams: tuple[int, int] = (2, 3)) -> None:
        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True,
                                           preprocessor=_clean, lowercase=False, dtype=np.float64)
        cleaned = list(texts)
        self._matrix: Any = self._vectorizer.fit_transform(cleaned) if any(t.strip() for t in cleaned) else None
        self.size = len(cleaned)

    def matrix(self, rows: Sequence[int], columns: Sequence[int]) -> list[list[float]]:
        """Cosine of every text in `rows` with every text in `columns` (indices into the fitted texts)."""
        if self._matrix is None or not rows or not columns:
            return [[0.0] * len(columns) for _ in rows]
        product = self._matrix[list(rows)] @ self._matrix[list(columns)].T
        return product.toarray().tolist()

    def vectors(self, texts: Sequence[str]) -> Any:
        """Vectors of new texts in the fitted space (words never seen count for nothing)."""
        return self._vectorizer.transform(list(texts)) if self._matrix is not None else None

    def containment(self, queries: Sequence[str], texts: Sequence[str]) -> Any:
        """How much of each query each text says: the IDF weight of the query's n-grams found in the text over the
        weight of all its n-grams (1.0 when the text holds the whole query, whatever else it says). A matrix."""
        if self._matrix is None or not queries or not texts:
            return np.zeros((len(queries), len(texts)))
        counter = CountVectorizer(analyzer="char", ngram_range=self._vectorizer.ngram_range, preprocessor=_clean,
                                  lowercase=False, binary=True, vocabulary=self._vectorizer.vocabulary_,
                                  dtype=np.float64)
        asked = counter.transform(list(queries)).multiply(self._vectorizer.idf_).tocsr()
        said = counter.transform(list(texts))
        total = np.asarray(asked.sum(axis=1)).ravel()
        total[total == 0] = 1.0
        return (asked @ said.T).toarray() / total[:, None]

    def cosine(self, i: int, j: int) -> float:
        return self.matrix([i], [j])[0][0]
