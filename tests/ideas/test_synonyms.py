"""The synonym layer for similar ideas: the shipped file, matching rules, and refused files."""

from __future__ import annotations

import re

import pytest

from forandra.ideas import synonyms
from forandra.ideas.synonyms import SEPARATOR, SynonymsError, load_synonyms, load_synonyms_file


@pytest.fixture(scope="module")
def shipped() -> synonyms.Synonyms:
    return synonyms.default_synonyms()


def added(text: str) -> set[str]:
    """The keys `expand` appends to `text`."""
    expanded = synonyms.expand(text)
    assert expanded.startswith(text)
    rest = expanded[len(text) :]
    return set(rest.split(SEPARATOR)[1:]) if rest else set()


# The shipped file ---------------------------------------------------------------------------------


def test_the_shipped_file_loads_once_with_its_concepts(shipped):
    assert synonyms.default_synonyms() is shipped
    assert 80 <= len(shipped.groups) <= 150
    for key, variants in shipped.groups.items():
        assert re.fullmatch(r"[^\W_]{3,}", key), key  # a word the TF-IDF keeps
        assert variants[0] == key and len(variants) > 1, key


def test_no_variant_is_in_two_groups(shipped):
    owners: dict[str, str] = {}
    for key, variants in shipped.groups.items():
        for variant in variants:
            compact = re.sub(r"[ \-]", "", variant)
            assert owners.setdefault(compact, key) == key, (variant, key, owners[compact])


def test_every_variant_finds_its_own_concept(shipped):
    for key, variants in shipped.groups.items():
        for variant in variants:
            assert key in shipped.concepts(variant), (key, variant)
            assert key in shipped.concepts(f"Idén handlar om {variant.upper()} i kommunen."), (
                variant
            )


def test_a_key_finds_only_its_own_concept(shipped):
    for key in shipped.groups:
        assert shipped.concepts(key) == {key}, key


# Matching -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # Different variants of one concept share its key.
        ("En AI-assistent svarar på frågor", "chattbot"),
        ("Chattrobot på webbplatsen", "chattbot"),
        ("Utbildning om phishing", "nätfiske"),
        ("Medarbetare får falska mejl", "nätfiske"),
        ("Digital ansökan om förskoleplats", "etjänst"),
        ("Logga in med e-legitimation", "bankid"),
        ("Mjukvarurobot för fakturor", "rpa"),
        ("Vatten och avlopp i glesbygd", "vattenavlopp"),
        ("Plogning av gång- och cykelvägar", "snöröjning"),
        ("Mina meddelanden för beslut", "digitalbrevlåda"),
        # Inflections and compounds of one-word variants of six letters or more.
        ("Chattbotten svarar dygnet runt", "chattbot"),
        ("En snöröjningskarta i realtid", "snöröjning"),
        ("Kommunchattboten", "chattbot"),
        ("Matavfall från skolorna", "avfall"),
        ("Bygglovsansökan på webben", "bygglov"),
        ("E-tjänsterna", "etjänst"),
        ("Phishingattacker ökar", "nätfiske"),
        # Shorter variants and phrases with Swedish endings; hyphens, spaces or nothing.
        ("Posten kommer via e-posten", "epost"),
        ("Digitala brevlådan", "digitalbrevlåda"),
        ("Kartan visar var", "karta"),
        ("Wifi:t i biblioteket", "wifi"),
        ("Etjänst för parkering", "etjänst"),
        ("Vatten- och avloppsnätet", "vattenavlopp"),
        ("Nya IoT-sensorer", "iot"),
        ("LSS-boende med sensorer", "lss"),
        ("VA-taxan höjs", "vattenavlopp"),
    ],
)
def test_expand_adds_the_canonical_key(text, key):
    assert key in synonyms.concepts(text)
    words = set(re.findall(r"\w+", synonyms.expand(text).lower()))
    assert key in words


def test_the_key_is_added_unless_the_text_has_it_as_a_word():
    assert added("Nya IoT-sensorer") == set()  # "iot" is a word of its own
    assert added("Nya sensorer") == {"iot"}


@pytest.mark.parametrize(
    "text",
    [
        "Vattenkvalitet i sjöarna",  # "va" only as a word of its own
        "Vi brukar tolka statistiken",  # neither "brukare" nor an interpreter
        "Värmeåtervinning i skolan",  # heat recovery is not waste
        "Kartläggning av behoven",  # "karta" is short: whole words only
        "Förskoleklassen börjar i augusti",  # not the preschool
        "Miljötillsyn av verksamheter",  # not digital supervision in care
        "Öppna databaser",  # "öppna data" with a word after it
        "Molnig väderlek",
        "Planering av arbetet",
    ],
)
def test_expand_does_not_fire_inside_unrelated_words(text):
    assert synonyms.concepts(text) == frozenset()
    assert synonyms.expand(text) == text


def test_a_key_already_in_the_text_is_not_added_again():
    assert synonyms.expand("En chattbot för bygglov") == "En chattbot för bygglov"
    assert added("Chattbotten hjälper vid bygglovsansökan") == {"chattbot", "bygglov"}


def test_keys_are_appended_once_in_order():
    text = "AI-assistent, chatbot och virtuell assistent; e-faktura och svefaktura"
    assert synonyms.expand(text) == f"{text}{SEPARATOR}chattbot{SEPARATOR}efaktura"


def test_two_texts_with_different_variants_share_the_key():
    one = synonyms.expand("Phishing-övning för alla anställda").lower()
    other = synonyms.expand("Kampanj mot bedrägerimejl").lower()
    assert set(re.findall(r"\w+", one)) & set(re.findall(r"\w+", other)) == {"nätfiske"}


@pytest.mark.parametrize(
    "text",
    [
        "",
        "Ingenting att se här",
        "En AI-assistent, digital brevlåda, e-tjänster och snöröjningskartor för VA",
        "Medborgarservice; kontaktcenter; e-arkiv; digital arkivering; e-faktura",
        "chattbot; etjänst",
        "Lärplattform och skolplattform. Trygghetslarm, nattkameror och e-hälsa.",
    ],
)
def test_expanding_twice_adds_nothing_new(text):
    once = synonyms.expand(text)
    assert synonyms.expand(once) == once
    assert synonyms.concepts(once) == synonyms.concepts(text)


def test_expanding_every_variant_twice_adds_nothing_new(shipped):
    for variants in shipped.groups.values():
        for variant in variants:
            once = shipped.expand(f"Om {variant} och mer")
            assert shipped.expand(once) == once, variant


# Refused files ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("- chattbot\n- chatbot\n", "must be a mapping"),
        ("chattbot: [chatbot\n", "not valid YAML"),
        ("chattbot: chatbot\n", "line 1, entry 'chattbot': a concept needs a list of variants"),
        ("chattbot: []\n", "entry 'chattbot': a concept needs a list of variants"),
        ("ok: [okej]\n", "entry 'ok': a concept key must be one lower-case word"),
        ("Chattbot: [chatbot]\n", "entry 'Chattbot': a concept key must be one lower-case word"),
        ("e-tjänst: [etjänst]\n", "entry 'e-tjänst': a concept key must be one lower-case word"),
        ("chattbot: [chatbot, ~]\n", "entry 'chattbot': variant 2 must be a word or phrase"),
        ("chattbot: [chatbot, [ai]]\n", "entry 'chattbot': variant 2 must be a word or phrase"),
        ("chattbot: [chatbot, 'chat_bot']\n", "entry 'chattbot': variant 2 ('chat_bot') must be"),
        ("chattbot: [chatbot, 'a']\n", "entry 'chattbot': variant 2 ('a') is too short"),
        (
            "chattbot: [chatbot, chatbot]\n",
            "entry 'chattbot': the variant 'chatbot' is listed twice",
        ),
        (
            "chattbot: [chatbot]\nchattbot: [chattrobot]\n",
            "line 2, entry 'chattbot': the key is listed twice (first on line 1)",
        ),
        (
            "chattbot: [chatbot, ai-assistent]\nartificiell: [ai, ai assistent]\n",
            "line 2, entry 'artificiell': the variant 'ai assistent' is also a variant of "
            "'chattbot'",
        ),
        (
            "chattbot: [chatbot]\nkommunchattbot: [kommunbot]\n",
            "line 2, entry 'kommunchattbot': the key also matches 'chattbot'",
        ),
    ],
)
def test_a_malformed_file_is_refused_naming_the_entry(text, message):
    with pytest.raises(SynonymsError) as error:
        load_synonyms(text)
    assert message in str(error.value)


def test_a_file_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_bytes(b"chattbot: [chatbot]\nsn\xf6r: [plogning]\n")
    with pytest.raises(SynonymsError, match="line 2: the file is not valid UTF-8"):
        load_synonyms_file(path)


def test_a_small_file_loads_and_expands(tmp_path):
    path = tmp_path / "synonyms.yaml"
    path.write_text("# Two concepts\nchattbot: [chatbot, ai-assistent]\nva: [vatten och avlopp]\n")
    with pytest.raises(SynonymsError, match="entry 'va'"):
        load_synonyms_file(path)
    path.write_text("chattbot: [chatbot, ai-assistent]\nvattenavlopp: [va, vatten och avlopp]\n")
    small = load_synonyms_file(path)
    assert small.groups == {
        "chattbot": ("chattbot", "chatbot", "ai-assistent"),
        "vattenavlopp": ("vattenavlopp", "va", "vatten och avlopp"),
    }
    assert small.expand("AI-assistenten om VA") == "AI-assistenten om VA; chattbot; vattenavlopp"
    assert small.expand("Vattenledningar") == "Vattenledningar"
