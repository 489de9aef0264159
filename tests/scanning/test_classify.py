"""Suggesting waves: quality on the labelled set, confirmations, Swedish word forms, determinism.

Plain Python, no database. Precision@1 is measured by stratified 5-fold cross-validation: each
fold is suggested by a classifier trained on the catalogue and the other four folds, never on the
signals it is tested on.
"""

from __future__ import annotations

import re
from collections import Counter

import pytest

from forandra.scanning.classify import (
    Classifier,
    Evaluation,
    LabelledSignal,
    cross_validate,
    labelled_signals,
    signal_text,
    wave_texts,
)
from forandra.scanning.waves import Catalogue, default_catalogue


@pytest.fixture(scope="module")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="module")
def signals() -> tuple[LabelledSignal, ...]:
    return labelled_signals()


@pytest.fixture(scope="module")
def evaluation(catalogue: Catalogue, signals: tuple[LabelledSignal, ...]) -> Evaluation:
    return cross_validate(catalogue, signals, folds=5, seed=0)


@pytest.fixture(scope="module")
def classifier(catalogue: Catalogue) -> Classifier:
    return Classifier(catalogue)


def catalogue_words(catalogue: Catalogue) -> set[str]:
    texts = [text for wave in catalogue.waves for text in wave_texts(wave)]
    return {word.casefold() for text in texts for word in re.findall(r"\w[\w-]*", text)}


# The labelled set ---------------------------------------------------------------------------------


def test_labelled_set_has_150_signals_in_both_languages_across_every_wave(signals, catalogue):
    languages = Counter(signal.language for signal in signals)
    per_wave = Counter(signal.wave_key for signal in signals)

    assert len(signals) >= 150
    assert 0.5 <= languages["sv"] / len(signals) <= 0.7  # about 60/40 Swedish/English
    assert set(per_wave) == set(catalogue.keys)
    assert max(per_wave.values()) <= 1.5 * min(per_wave.values())
    for wave in catalogue.keys:
        assert {s.language for s in signals if s.wave_key == wave} == {"sv", "en"}, wave


def test_labelled_signals_are_distinct_and_not_the_catalogues_examples(signals, catalogue):
    titles = [signal.title.casefold() for signal in signals]
    examples = {e.casefold() for wave in catalogue.waves for e in wave.examples.all()}

    assert len(set(titles)) == len(titles)
    assert not set(titles) & examples
    assert all(signal.title and signal.summary for signal in signals)


# Quality ------------------------------------------------------------------------------------------


def test_precision_at_1_under_cross_validation_is_at_least_0_8(evaluation, signals):
    assert len(evaluation.folds) == 5
    assert evaluation.precision >= 0.8, evaluation.folds
    assert sum(map(sum, evaluation.confusion)) == len(signals)  # every signal tested once
    hits = sum(evaluation.confusion[i][i] for i in range(len(evaluation.wave_keys)))
    assert hits + sum(count for _, _, count in evaluation.mistakes()) == len(signals)


def test_no_wave_is_mostly_taken_for_another(evaluation):
    for wave in evaluation.wave_keys:
        assert evaluation.recall(wave) > 0.5, (wave, evaluation.mistakes())


# Confirmations ------------------------------------------------------------------------------------


def test_a_confirmation_moves_a_new_similar_signal_to_the_confirmed_wave(catalogue, classifier):
    new = "Nytt planeringsverktyg optimerar hemtjänstens körrutter"
    before = classifier.suggest(new)
    assert before[0].wave_key != "automation"  # home care: welfare technology, says the catalogue

    confirmed = Classifier(
        catalogue, [("Hemtjänstens planeringsverktyg optimerar körrutterna", "automation")]
    )
    after = confirmed.suggest(new)

    assert after[0].wave_key == "automation"
    assert after[0].score > {s.wave_key: s.score for s in before}["automation"]


def test_confirmations_of_a_wave_no_longer_in_the_catalogue_are_left_out(catalogue, classifier):
    text = "Kommunen inför digitala trygghetslarm"
    with_removed = Classifier(catalogue, [(text, "removed_wave"), ("   ", "automation")])

    assert with_removed.suggest(text) == classifier.suggest(text)
    assert with_removed.wave_keys == catalogue.keys


# Swedish word forms -------------------------------------------------------------------------------

WORD_FORMS = [
    # (a signal, a word form in it that the catalogue never writes, the wave it belongs to)
    (
        "Tillgänglighetsredogörelsen uppdaterades efter Diggs granskning",
        "tillgänglighetsredogörelsen",
        "accessibility",
    ),
    ("E-tjänsterna för förskoleplats fungerar nu i mobilen", "e-tjänsterna", "accessibility"),
    (
        "Välfärdsteknikens möjligheter i glesbygdens hemtjänst",
        "välfärdsteknikens",
        "welfare_technology",
    ),
    ("Trygghetslarmen i Åsele byts mot digitala", "trygghetslarmen", "welfare_technology"),
    ("Mjukvarurobotarna tar över fakturaflödet", "mjukvarurobotarna", "automation"),
    ("Medborgardialogerna om centrumplanen lockade många", "medborgardialogerna", "co_creation"),
    (
        "Informationssäkerhetsarbetet stärks inför den nya lagen",
        "informationssäkerhetsarbetet",
        "information_security",
    ),
    ("Kompetenslyftet för kommunens chefer fortsätter", "kompetenslyftet", "digital_competence"),
    ("Språkmodellerna blir bättre på svenska", "språkmodellerna", "ai"),
    ("Datalagrets siffror visar skillnader mellan skolorna", "datalagrets", "data_driven"),
    ("Det gemensamma e-arkivets första år", "e-arkivets", "shared_infrastructure"),
    ("Spillvärmens värde för fjärrvärmenätet", "spillvärmens", "green_digitalisation"),
]


@pytest.mark.parametrize(("text", "form", "wave"), WORD_FORMS, ids=[w[1] for w in WORD_FORMS])
def test_inflected_and_compound_swedish_words_find_their_wave(
    catalogue, classifier, text, form, wave
):
    assert form in text.casefold()
    assert form not in catalogue_words(catalogue)  # found by its parts, not by the whole word

    assert classifier.suggest(text)[0].wave_key == wave


def test_english_signals_find_their_wave(classifier):
    assert classifier.suggest("Screen readers struggle with the new forms")[0].wave_key == (
        "accessibility"
    )
    assert classifier.suggest("Ransomware hits the county's water utility")[0].wave_key == (
        "information_security"
    )


# The suggestions ----------------------------------------------------------------------------------


def test_suggestions_rank_every_wave_once_with_scores_between_0_and_1(catalogue, classifier):
    suggestions = classifier.suggest(
        signal_text("Ny AI-assistent i växeln", "Den svarar på frågor")
    )

    assert sorted(s.wave_key for s in suggestions) == sorted(catalogue.keys)
    scores = [s.score for s in suggestions]
    assert scores == sorted(scores, reverse=True)
    assert all(0 <= score <= 1 for score in scores)
    assert sum(scores) == pytest.approx(1)
    assert suggestions[0].wave_key == "ai"


def test_a_blank_signal_gets_no_suggestions(classifier):
    assert classifier.suggest("") == []
    assert classifier.suggest(" \n ") == []
    assert classifier.suggest_all(["", "Digitala trygghetslarm"])[0] == []


def test_signal_text_joins_title_and_summary_and_skips_what_is_blank():
    assert signal_text(" Titel ", " Sammanfattning ") == "Titel\nSammanfattning"
    assert signal_text("Titel", "  ") == "Titel"


def test_suggest_all_gives_what_suggest_gives_one_by_one(classifier, signals):
    texts = [signal.text for signal in signals[:20]]

    assert classifier.suggest_all(texts) == [classifier.suggest(text) for text in texts]


def test_training_and_suggestions_are_deterministic(catalogue, signals):
    confirmations = [(signal.text, signal.wave_key) for signal in signals[::3]]
    texts = [signal.text for signal in signals[1::3]]

    first = Classifier(catalogue, confirmations).suggest_all(texts)
    second = Classifier(catalogue, confirmations).suggest_all(texts)

    assert first == second  # exactly equal scores, not merely close


def test_cross_validation_is_deterministic_for_a_seed(catalogue, signals, evaluation):
    assert cross_validate(catalogue, signals, folds=5, seed=0) == evaluation
