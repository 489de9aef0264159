"""Suggesting waves for a signal, and measuring how good the suggestions are.

The classifier learns from the waves catalogue (each wave's names, descriptions, keywords and
example signals, in Swedish and English) and from the group members' confirmations: every signal
a member has placed in a wave becomes one more example of that wave, so a later signal like it
gets the wave the members chose.

Text is read as TF-IDF over character n-grams within words (3-5 characters, `char_wb`). Swedish
builds long compounds and inflects freely ("tillgänglighetsredogörelsen", "välfärdsteknikens",
"e-tjänsterna"); the n-grams of "tillgänglighet" and "redogörelse" are still inside those words,
so no stemmer or compound splitter is needed, and the same works for English. Words alone, or
word n-grams on top, measured worse (see bench/bench_scanning.py). The model is a multinomial
logistic regression, so the scores of one signal are probabilities over the waves.

Plain Python, no Django: the scan, the API and the tests call it directly. Training on a catalogue
and a few hundred confirmations takes a fraction of a second; a suggestion about a millisecond.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import resources
from statistics import fmean
from typing import Any

import yaml
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from threadpoolctl import threadpool_limits

from forandra.scanning.waves import Catalogue, Wave

# Chosen by 5-fold cross-validation on the labelled set (figures in bench/bench_scanning.py);
# neighbouring values score within one or two signals of these.
NGRAMS = (3, 5)
REGULARISATION = 10.0  # LogisticRegression's C: the catalogue is small, so fit it closely


@dataclass(frozen=True)
class Suggestion:
    wave_key: str
    score: float  # 0..1; the scores of one signal's suggestions sum to 1


def signal_text(title: str, summary: str = "") -> str:
    """The text the classifier reads for a signal: its title, then its summary or note."""
    return "\n".join(part.strip() for part in (title, summary) if part.strip())


def wave_texts(wave: Wave) -> list[str]:
    """What the catalogue says about a wave, one training text per name, keyword and example."""
    return [
        wave.name.sv,
        wave.name.en,
        wave.description.sv,
        wave.description.en,
        *wave.keywords.all(),
        *wave.examples.all(),
    ]


class Classifier:
    """Suggests waves for signals, trained on a catalogue and the members' confirmations.

    `confirmations` are `(text, wave_key)` pairs: signals a group member placed in a wave (text as
    `signal_text` builds it). Confirmations of a wave that is no longer in the catalogue (the
    coordinator removed it) are left out. Training is deterministic: the same catalogue and
    confirmations give the same scores.
    """

    def __init__(self, catalogue: Catalogue, confirmations: Iterable[tuple[str, str]] = ()) -> None:
        keys = set(catalogue.keys)
        texts: list[str] = []
        labels: list[str] = []
        for wave in catalogue.waves:
            for text in wave_texts(wave):
                texts.append(text)
                labels.append(wave.key)
        for text, wave_key in confirmations:
            if wave_key in keys and text.strip():
                texts.append(text)
                labels.append(wave_key)
        self.wave_keys = catalogue.keys
        self._order = {key: index for index, key in enumerate(catalogue.keys)}
        self._vectorizer = TfidfVectorizer(
            analyzer="char_wb", ngram_range=NGRAMS, sublinear_tf=True, lowercase=True
        )
        # newton-cg: deterministic and, on a few thousand sparse rows, ten times faster than lbfgs.
        self._model = LogisticRegression(C=REGULARISATION, solver="newton-cg", max_iter=1000)
        # One thread: the problem is too small to gain from more, and sums in a fixed order keep
        # the scores identical from run to run (and a web worker does not take every core).
        with threadpool_limits(limits=1):
            self._model.fit(self._vectorizer.fit_transform(texts), labels)
        self._classes: list[str] = [str(key) for key in self._model.classes_]

    def suggest(self, text: str) -> list[Suggestion]:
        """Every wave with its score for `text`, best first; empty for a blank text."""
        return self.suggest_all([text])[0]

    def suggest_all(self, texts: Sequence[str]) -> list[list[Suggestion]]:
        """`suggest` for many texts at once (a scan's new signals), much faster than one by one."""
        result: list[list[Suggestion]] = [[] for _ in texts]
        filled = [index for index, text in enumerate(texts) if text.strip()]
        if not filled:
            return result
        rows: Any = self._model.predict_proba(
            self._vectorizer.transform([texts[index] for index in filled])
        )
        for index, row in zip(filled, rows, strict=True):
            suggestions = [
                Suggestion(wave_key=key, score=float(score))
                for key, score in zip(self._classes, row, strict=True)
            ]
            # Ties (rare) in catalogue order, so the order never depends on the key's spelling.
            suggestions.sort(key=lambda s: (-s.score, self._order[s.wave_key]))
            result[index] = suggestions
        return result


# The labelled set -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LabelledSignal:
    """A signal with the wave it belongs to, from the labelled set in `data/signals.yaml`."""

    wave_key: str
    language: str  # "sv" or "en"
    title: str
    summary: str

    @property
    def text(self) -> str:
        return signal_text(self.title, self.summary)


def labelled_signals() -> tuple[LabelledSignal, ...]:
    """The labelled set shipped with Förändra, for measuring the classifier."""
    source = resources.files("forandra.scanning").joinpath("data", "signals.yaml")
    document = yaml.safe_load(source.read_text(encoding="utf-8"))
    signals = []
    for index, item in enumerate(document["signals"]):
        if set(item) != {"wave", "language", "title", "summary"}:
            raise ValueError(f"signals[{index}]: expected wave, language, title and summary")
        if item["language"] not in ("sv", "en"):
            raise ValueError(f"signals[{index}].language: 'sv' or 'en', not {item['language']!r}")
        signals.append(
            LabelledSignal(
                wave_key=str(item["wave"]),
                language=str(item["language"]),
                title=str(item["title"]).strip(),
                summary=str(item["summary"]).strip(),
            )
        )
    return tuple(signals)


# Measuring --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Evaluation:
    """Precision@1 under cross-validation, and which waves are taken for which."""

    folds: tuple[float, ...]  # precision@1 of each fold
    wave_keys: tuple[str, ...]
    # confusion[i][j]: signals labelled wave_keys[i] whose best suggestion was wave_keys[j]
    confusion: tuple[tuple[int, ...], ...]
    best: tuple[str, ...]  # each signal's best suggestion, in the order of the signals given

    @property
    def precision(self) -> float:
        """Precision@1: the mean over the folds."""
        return fmean(self.folds)

    def mistakes(self) -> list[tuple[str, str, int]]:
        """(labelled, suggested, count) for every pair of different waves confused, most first."""
        pairs = [
            (self.wave_keys[i], self.wave_keys[j], count)
            for i, row in enumerate(self.confusion)
            for j, count in enumerate(row)
            if i != j and count
        ]
        return sorted(pairs, key=lambda pair: -pair[2])

    def recall(self, wave_key: str) -> float:
        """The share of the wave's signals whose best suggestion was that wave."""
        index = self.wave_keys.index(wave_key)
        row = self.confusion[index]
        return row[index] / sum(row) if sum(row) else 0.0


def cross_validate(
    catalogue: Catalogue,
    signals: Sequence[LabelledSignal],
    *,
    folds: int = 5,
    seed: int = 0,
) -> Evaluation:
    """Stratified k-fold: train on the catalogue and the other folds, test on the held-out one.

    The other folds play the part of the members' confirmations, so the figure is what a group
    would see after confirming signals for a while, measured only on signals never trained on.
    """
    keys = catalogue.keys
    index_of = {key: index for index, key in enumerate(keys)}
    counts = [[0] * len(keys) for _ in keys]
    labels = [signal.wave_key for signal in signals]
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    fold_precisions = []
    best = [""] * len(signals)
    for train, test in splitter.split(labels, labels):
        classifier = Classifier(catalogue, [(signals[i].text, signals[i].wave_key) for i in train])
        suggestions = classifier.suggest_all([signals[i].text for i in test])
        hits = 0
        for i, suggested in zip(test, suggestions, strict=True):
            best[i] = suggested[0].wave_key
            counts[index_of[labels[i]]][index_of[best[i]]] += 1
            hits += best[i] == labels[i]
        fold_precisions.append(hits / len(test))
    return Evaluation(
        folds=tuple(fold_precisions),
        wave_keys=keys,
        confusion=tuple(tuple(row) for row in counts),
        best=tuple(best),
    )
