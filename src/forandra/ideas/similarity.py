"""Similar ideas across municipalities: nearest neighbours by TF-IDF, and clusters.

Pure Python with scikit-learn, numpy and scipy (no Django), so it is fast to test and the same
in a view, a benchmark and the CLI.

Each idea is one text (title, need and description). Texts become TF-IDF vectors over character
n-grams within words (`char_wb`, 3-5 characters) with sublinear term frequencies, L2-normalised,
so the dot product of two rows is their cosine similarity. Character n-grams match Swedish
compounds and inflections by their parts: "snöröjningskarta" shares "snör", "röjn", "karta" with
"karta över snöröjning", which whole words would not. The title is counted twice: it names the
idea, while the need often tells a story many ideas share. Words of one or two letters and a
short list of Swedish and English function words are left out ("och", "att", "för", "the"):
they are in nearly every text and, as character n-grams, make unrelated ideas look alike.

The neighbours of every text are found by multiplying the matrix with its transpose one chunk of
rows at a time (CHUNK rows), keeping only the k best of each row, so memory stays at one chunk's
dense block (CHUNK x n floats) whatever the number of ideas: 50,000 ideas fit in a few hundred
megabytes. N-grams found in more than MAX_SHARE of a large collection are dropped first (only
above MIN_DOCS_FOR_CUTOFF texts): they weigh little after IDF and would make every product
dense and slow. Above EXACT_LIMIT texts the search is approximate: rows cut to their PRUNE_TO
heaviest n-grams find the candidates, which are then scored exactly (see `top_k_matrix`).
The figures are in bench/bench_ideas_similar.py.
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import scipy.sparse as sp

from forandra.ideas import synonyms

NGRAMS = (3, 5)
CHUNK = 1000
EXACT_LIMIT = 5000  # up to this many ideas every pair is scored exactly
PRUNE_TO = 60  # above it, ideas that share some of their 60 rarest n-grams are candidates...
CANDIDATES = 30  # ...and each idea's 30 best candidates are scored exactly
WORKERS = 2  # threads for the chunks of the approximate search
MAX_SHARE = 0.05  # drop n-grams in more than 5% of the texts...
MIN_DOCS_FOR_CUTOFF = 2000  # ...but only in large collections, where they slow the product down
CLUSTER_THRESHOLD = 0.45
CLUSTER_NEIGHBOURS = 10

STOP_WORDS = frozenset(
    """
    och att som för med till från den det detta denna dessa har hade kan ska skall vill inte
    eller men när var vid på av om ut in upp över under efter innan även så sina sin sitt sig
    man vår våra vi de dem deras ett en är blir bli får mer mycket många alla hela varje där här
    också utan genom mellan andra annan annat samma själv själva
    the and for with from that this are can will not but when into have has its their they
    all also more each our your who what which
    """.split()  # noqa: SIM905 (a list literal of 80 words would be far harder to read)
)

_WORD = re.compile(r"\w+", re.UNICODE)


def idea_text(title: str, need: str = "", description: str = "") -> str:
    """The text of one idea as the index sees it: the title (twice), the need, the description,
    and the keys of the municipal concepts it mentions (`synonyms.expand`), so that two ideas
    naming one thing by different words ("chattbot", "digital assistent") share a term."""
    return synonyms.expand(f"{title}. {title}. {need} {description}".strip())


@lru_cache(maxsize=300_000)
def _word_grams(word: str) -> tuple[str, ...]:
    """The character n-grams of one word padded with spaces, as `char_wb` makes them.

    Cached: words repeat from idea to idea, so most texts are split from the cache, several
    times faster than scikit-learn's own `char_wb` analyser on 50,000 ideas.
    """
    padded = f" {word} "
    grams: list[str] = []
    for size in range(NGRAMS[0], NGRAMS[1] + 1):
        if len(padded) < size:
            break
        grams.extend(padded[i : i + size] for i in range(len(padded) - size + 1))
    return tuple(grams)


def analyse(text: str) -> list[str]:
    """The n-grams of a text's words of three letters or more that are not function words."""
    grams: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) > 2 and word not in STOP_WORDS:
            grams.extend(_word_grams(word))
    return grams


def vectorize(texts: Sequence[str]) -> sp.csr_matrix:
    """The L2-normalised TF-IDF rows of `texts` (a row of zeros for a text with no n-grams).

    The same weights as scikit-learn's TfidfVectorizer (sublinear tf, smooth idf) over
    `analyse`, computed word by word: texts x words times words x n-grams gives the counts, so
    each distinct word is split once (a tenth of the time on 50,000 ideas).
    """
    count = len(texts)
    words: dict[str, int] = {}
    indptr: list[int] = [0]
    indices: list[int] = []
    for text in texts:
        for word in _WORD.findall(text.lower()):
            if len(word) > 2 and word not in STOP_WORDS:
                indices.append(words.setdefault(word, len(words)))
        indptr.append(len(indices))
    ones = np.ones(len(indices), dtype=np.float32)
    by_word = sp.csr_matrix((ones, indices, indptr), shape=(count, len(words)))
    grams: dict[str, int] = {}
    g_indptr: list[int] = [0]
    g_indices: list[int] = []
    for word in words:
        g_indices.extend(grams.setdefault(gram, len(grams)) for gram in _word_grams(word))
        g_indptr.append(len(g_indices))
    g_ones = np.ones(len(g_indices), dtype=np.float32)
    word_grams = sp.csr_matrix((g_ones, g_indices, g_indptr), shape=(len(words), len(grams)))
    counts = sp.csr_matrix(by_word @ word_grams)
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=len(grams))
    if count > MIN_DOCS_FOR_CUTOFF:
        keep = np.flatnonzero(df <= MAX_SHARE * count)
        counts, df = sp.csr_matrix(counts[:, keep]), df[keep]
    idf = (np.log((1 + count) / (1 + df)) + 1).astype(np.float32)
    counts.data = 1 + np.log(counts.data, dtype=np.float32)
    weighted = sp.csr_matrix(counts @ sp.diags(idf), dtype=np.float32)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.csr_matrix(sp.diags(1 / norms).astype(np.float32) @ weighted)


def _prune(matrix: sp.csr_matrix, keep: int) -> sp.csr_matrix:
    """Each row cut down to its `keep` heaviest entries (the rarest n-grams, after IDF)."""
    pruned = matrix.copy()
    for row in range(pruned.shape[0]):
        start, stop = pruned.indptr[row], pruned.indptr[row + 1]
        if stop - start > keep:
            values = pruned.data[start:stop]
            cut = np.partition(values, stop - start - keep)[stop - start - keep]
            values[values < cut] = 0.0
    pruned.eliminate_zeros()
    return pruned


def _best(scores: np.ndarray, columns: np.ndarray, k: int) -> list[tuple[int, float]]:
    """The k best (column, score) of one row, by score then lower column; positive only."""
    if len(scores) > k:
        cutoff = np.partition(scores, len(scores) - k)[len(scores) - k]
        picked = np.flatnonzero(scores >= cutoff)
    else:
        picked = np.arange(len(scores))
    order = sorted(picked.tolist(), key=lambda j: (-scores[j], columns[j]))[:k]
    return [(int(columns[j]), float(scores[j])) for j in order if scores[j] > 0.0]


def _shortlist(block: sp.csr_matrix, start: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The (row, column) pairs of the `size` best candidates of each row of `block`.

    Row i of `block` is row start + i of the collection; itself and scores <= 0 are left out.
    Ties at the cut are broken by the lower column, so the pick depends on the row alone.
    """
    rows: list[np.ndarray] = []
    columns: list[np.ndarray] = []
    for offset in range(block.shape[0]):
        lo, hi = block.indptr[offset], block.indptr[offset + 1]
        found, scores = block.indices[lo:hi], block.data[lo:hi]
        keep = (scores > 0.0) & (found != start + offset)
        found, scores = found[keep], scores[keep]
        if len(scores) > size:
            cutoff = np.partition(scores, len(scores) - size)[len(scores) - size]
            tops = scores >= cutoff
            found, scores = found[tops], scores[tops]
            found = found[np.lexsort((found, -scores))[:size]]
        rows.append(np.full(len(found), start + offset, dtype=np.int64))
        columns.append(found.astype(np.int64))
    return np.concatenate(rows), np.concatenate(columns)


def _rescored(
    matrix: sp.csr_matrix,
    probes: sp.csr_matrix,
    transposed: sp.csr_matrix,
    start: int,
    stop: int,
    k: int,
) -> list[list[tuple[int, float]]]:
    """The k best neighbours of rows start..stop-1 by the approximate search (see top_k_matrix)."""
    block = sp.csr_matrix(probes[start:stop] @ transposed)
    rows, columns = _shortlist(block, start, max(CANDIDATES, k))
    del block
    if len(rows):
        scores = np.asarray(matrix[rows].multiply(matrix[columns]).sum(axis=1)).ravel()
    else:
        scores = np.zeros(0, dtype=np.float32)
    order = np.lexsort((columns, -scores, rows))
    rows, columns, scores = rows[order], columns[order], scores[order]
    bounds = np.searchsorted(rows, np.arange(start, stop + 1))
    result: list[list[tuple[int, float]]] = []
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        result.append(
            [
                (j, s)
                for j, s in zip(columns[lo:hi].tolist(), scores[lo:hi].tolist(), strict=True)
                if s > 0.0
            ][:k]
        )
    return result


def top_k_matrix(
    matrix: sp.csr_matrix, k: int = 5, *, chunk: int = CHUNK
) -> list[list[tuple[int, float]]]:
    """For each row, the k other rows with the highest dot product (> 0), best first.

    Up to EXACT_LIMIT rows every pair is scored. Above it, each row is cut down to its
    PRUNE_TO heaviest n-grams (the rarest, after IDF) and the cut rows are multiplied with each
    other: a pair becomes a candidate when the two share some of their heaviest n-grams, and
    the product stays sparse (the full product of 50,000 ideas would be nearly dense: 35
    million scores per 1,000 rows). The CANDIDATES best candidates of each row are then scored
    exactly, all pairs of a chunk at once, and the k best kept. Ties go to the lower index;
    every row is computed on its own, so the answer does not depend on the chunk size. The
    chunks run on WORKERS threads (scipy's sparse products release the GIL), at most WORKERS
    chunks' products in memory at a time.
    """
    count = matrix.shape[0]
    if count == 0:
        return []
    if count > EXACT_LIMIT:
        probes = _prune(matrix, PRUNE_TO)
        transposed = sp.csr_matrix(probes.T)
        starts = range(0, count, chunk)
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            parts = pool.map(
                lambda start: _rescored(
                    matrix, probes, transposed, start, min(start + chunk, count), k
                ),
                starts,
            )
            return [row for part in parts for row in part]
    transposed = matrix.T.tocsc()
    result: list[list[tuple[int, float]]] = []
    for start in range(0, count, chunk):
        stop = min(start + chunk, count)
        block = sp.csr_matrix(matrix[start:stop] @ transposed)
        for offset in range(stop - start):
            row = start + offset
            lo, hi = block.indptr[offset], block.indptr[offset + 1]
            columns, scores = block.indices[lo:hi], block.data[lo:hi].copy()
            scores[columns == row] = -1.0  # a text is not its own neighbour
            result.append(_best(scores, columns, k))
    return result


def top_k(texts: Sequence[str], k: int = 5, *, chunk: int = CHUNK) -> list[list[tuple[int, float]]]:
    """For every text, the k most similar other texts as (index, cosine similarity), best first."""
    return top_k_matrix(vectorize(texts), k, chunk=chunk)


def neighbours_of(
    texts: Sequence[str], index: int, k: int = 5, *, among: Sequence[int] | None = None
) -> list[tuple[int, float]]:
    """The k texts most similar to texts[index] (optionally only those in `among`), best first.

    The IDF is learnt from every text, so a rare word weighs the same on every page.
    """
    matrix = vectorize(texts)
    if matrix.shape[1] == 0:
        return []
    scores = (matrix @ matrix[index].T).toarray().ravel()
    allowed = range(len(texts)) if among is None else among
    ranked = sorted(
        (j for j in allowed if j != index and scores[j] > 0.0), key=lambda j: (-scores[j], j)
    )
    return [(int(j), float(scores[j])) for j in ranked[:k]]


@dataclass(frozen=True)
class Item:
    """One idea for clustering: a key to find it again, its owner (a municipality) and text."""

    key: int
    owner: Hashable
    text: str


def clusters(
    items: Sequence[Item],
    threshold: float = CLUSTER_THRESHOLD,
    *,
    neighbours: int = CLUSTER_NEIGHBOURS,
    chunk: int = CHUNK,
) -> list[list[Item]]:
    """Groups of ideas from two or more owners that are alike above `threshold`.

    The graph links two ideas of different owners when one is among the other's `neighbours`
    nearest and their similarity is at least `threshold`; each connected component with two or
    more owners is a cluster. Ideas of one owner are never linked to each other, so a
    municipality's own variations of an idea do not make a cluster. Largest clusters first,
    then by the first item's position.
    """
    if len(items) < 2:
        return []
    found = top_k_matrix(vectorize([item.text for item in items]), neighbours, chunk=chunk)
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, row in enumerate(found):
        for j, similarity in row:
            if similarity >= threshold and items[i].owner != items[j].owner:
                a, b = root(i), root(j)
                if a != b:
                    parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    result = [
        [items[i] for i in members]
        for members in groups.values()
        if len({items[i].owner for i in members}) >= 2
    ]
    result.sort(key=lambda cluster: (-len(cluster), items.index(cluster[0])))
    return result
