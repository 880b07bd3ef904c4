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

_NOISE = re.compile(r"[\s\d０-９\W_]+")  # digits, punctuation and spaces carry no subject


def _clean(text: str) -> str:
    return _NOISE.sub(" ", text)


class Similarity:
    """Vectors for a fixed list of texts (fitted on them), compared by cosine."""

    def __init__(self, texts: Sequence[str], ngrams: tuple[int, int] = (2, 3)) -> None:
        # imported here: scikit-learn takes ≈1 s to import, and the coordinator commands never fit a vectorizer
        from sklearn.feature_extraction.text import TfidfVectorizer

        self._vectorizer = TfidfVectorizer(analyzer="char", ngram_range=ngrams, sublinear_tf=True,
                                           preprocessor=_clean, lowercase=False, dtype=np.float64)
        cleaned = list(texts)
        self._matrix: Any = self._vectorizer.fit_transform(cleaned) if any(t.strip() for t in cleaned) else None
        self.size = len(cleaned)
        self._counter: Any = None  # a CountVectorizer, made when first needed

    def matrix(self, rows: Sequence[int], columns: Sequence[int]) -> list[list[float]]:
        """Cosine of every text in `rows` with every text in `columns` (indices into the fitted texts)."""
        return self.array(rows, columns).tolist()

    def array(self, rows: Sequence[int], columns: Sequence[int] | None = None) -> Any:
        """The same as a numpy array; `columns` None compares with every fitted text (one row of a corpus costs
        one sparse product, where a cosine per pair cost a sparse slice each: 9 s of 12 at 100 documents)."""
        width = self.size if columns is None else len(columns)
        if self._matrix is None or not rows or not width:
            return np.zeros((len(rows), width))
        right = self._matrix if columns is None else self._matrix[list(columns)]
        return (self._matrix[list(rows)] @ right.T).toarray()

    def vectors(self, texts: Sequence[str]) -> Any:
        """Vectors of new texts in the fitted space (words never seen count for nothing)."""
        return self._vectorizer.transform(list(texts)) if self._matrix is not None else None

    def presence(self, texts: Sequence[str]) -> Any:
        """Which fitted n-grams each text holds (0/1), for `containment`: computed once per text list."""
        if self._matrix is None or not texts:
            return None
        if self._counter is None:
            from sklearn.feature_extraction.text import CountVectorizer

            self._counter = CountVectorizer(analyzer="char", ngram_range=self._vectorizer.ngram_range,
                                            preprocessor=_clean, lowercase=False, binary=True,
                                            vocabulary=self._vectorizer.vocabulary_, dtype=np.float64)
        return self._counter.transform(list(texts))

    def containment(self, queries: Sequence[str], texts: Sequence[str] | Any) -> Any:
        """How much of each query each text says: the IDF weight of the query's n-grams found in the text over the
        weight of all its n-grams (1.0 when the text holds the whole query, whatever else it says). A matrix.
        `texts` may be their `presence` already."""
        said = self.presence(texts) if isinstance(texts, (list, tuple)) else texts
        if self._matrix is None or not queries or said is None or not said.shape[0]:
            return np.zeros((len(queries), 0 if said is None else said.shape[0]))
        asked = self.presence(queries).multiply(self._vectorizer.idf_).tocsr()
        total = np.asarray(asked.sum(axis=1)).ravel()
        total[total == 0] = 1.0
        return (asked @ said.T).toarray() / total[:, None]

    def cosine(self, i: int, j: int) -> float:
        return self.matrix([i], [j])[0][0]
