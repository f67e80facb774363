"""The language of a page (newscrawl/language.py): the declared one when the text bears it
out, else the text's."""

from __future__ import annotations

import pytest

from newscrawl.language import by_words, normalise, page_language, script_language

GERMAN = (
    "Die Regierung hat am Montag beschlossen, dass die neuen Regeln ab dem kommenden Jahr "
    "gelten sollen. Das ist nicht nur für die Unternehmen wichtig, sondern auch für die "
    "Bürger, die sich auf die Änderungen einstellen müssen."
)
INDONESIAN = (
    "Pemerintah menyatakan bahwa kebijakan baru itu akan berlaku mulai tahun depan. Hal ini "
    "tidak hanya penting bagi dunia usaha, tetapi juga untuk masyarakat yang harus menyesuaikan "
    "diri dengan perubahan tersebut."
)
ENGLISH = (
    "The government said on Monday that the new rules would apply from next year. This is "
    "important not only for the companies but also for the citizens who have to adapt."
)
ZULU = (
    "Umengameli uthe uhulumeni uzoqhubeka nokusebenzisana nabantu bezindawo zasemakhaya "
    "ukuze kuthuthukiswe izimpilo zabo. Abahlali bathi bayakwamukela lokhu kodwa bafuna "
    "ukubona izinguquko ngokushesha emiphakathini yabo."
)
JAPANESE = (
    "気象庁は13日、午後9時19分ごろ、日向灘で震度5弱の地震があったと発表した。震源の深さは約30キロ。"
)


@pytest.mark.parametrize(
    ("code", "want"),
    [("en-US", "en"), ("nb_NO", "no"), ("de", "de"), ("x-default", None), ("", None),
     ("und", None), (None, None), ("in", "id")],
)  # fmt: skip
def test_normalise(code: str | None, want: str | None) -> None:
    assert normalise(code) == want


def test_script_language() -> None:
    assert script_language(JAPANESE) == "ja"
    assert script_language("이재명 더불어민주당 대표가 3월 26일 서울중앙지법에서") == "ko"
    assert script_language(ENGLISH) is None


def test_by_words() -> None:
    assert by_words(GERMAN) == "de"
    assert by_words(INDONESIAN) == "id"
    assert by_words(ENGLISH) == "en"


@pytest.mark.parametrize(
    ("declared", "text", "want"),
    [
        ("id", INDONESIAN, "id"),
        ("id", GERMAN, "de"),  # a German page on a template that says lang="id"
        ("en", GERMAN, "de"),
        (None, GERMAN, "de"),
        (None, INDONESIAN, "id"),
        ("en", JAPANESE, "ja"),
        ("ja", JAPANESE, "ja"),
        ("de", "Kurz.", "de"),  # too short to tell: as declared
        (None, "Kurz.", "id"),  # nothing declared, nothing to tell: the project's default
    ],
)
def test_page_language(declared: str | None, text: str, want: str) -> None:
    assert page_language(declared, text) == want


def test_a_language_without_function_words_of_ours_is_told_by_py3langid() -> None:
    """isiZulu under ``lang="en"`` (South African sites): py3langid tells it."""
    assert page_language("en", ZULU) in ("zu", "xh")
