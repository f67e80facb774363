"""The language of a page: what it declares (``<html lang>``, ``content-language``,
``og:locale``, JSON-LD ``inLanguage``), checked against its text.

A declared language is kept when the text bears it out: its most common words (a few dozen
function words per language, :data:`FUNCTION_WORDS`) are frequent in the text, or its script
is the text's (Japanese, Korean, Chinese). Otherwise, and for a page that declares nothing,
the text decides: the language whose function words are clearly the most frequent, else
py3langid (97 languages; loaded on first use, about a second, and used only then: isiZulu
under ``lang="en"``, a page in Lithuanian that declares nothing). A text too short to tell
keeps the declared language, else :data:`DEFAULT`.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache
from typing import Any

#: The language of a page that declares none and whose text cannot tell (the project's).
DEFAULT = "id"
#: How much of a text py3langid reads (characters): enough to tell, and fast.
SAMPLE_CHARS = 1200
#: The fewest letters a text needs for its language to be told from it (characters of the
#: East Asian scripts, which are words or syllables: fewer).
MIN_LETTERS = 40
MIN_EAST_ASIAN = 10

#: The most common words of each language (lower case).
FUNCTION_WORDS: dict[str, frozenset[str]] = {
    code: frozenset(words.split())
    for code, words in {
        "en": "the of and to in a is that for on it with as was be by at are this from have "
        "has had not but his her they he she we you will would an or which were been their "
        "said its also who after more there than about into",
        "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als "
        "auch es an er hat aus bei sind wie noch nach wird einer um am sie über so vor zum "
        "zur war werden dass haben kann",
        "id": "yang dan di ini itu dengan untuk tidak dari dalam akan pada juga ke karena "
        "tersebut bisa ada mereka oleh sebagai kata telah atau saat sudah adalah kami "
        "dia lebih menjadi bahwa hingga para bagi secara",
        "fr": "le la les de des du et en un une est pour que qui dans sur au par pas plus "
        "avec ce il elle sont a été aux ont mais ou cette se ses son leur nous vous",
        "es": "el la de que y en los las del se por un una para con no es al lo como más pero "
        "sus su le ha fue este esta entre cuando también sobre han son",
        "it": "il di che la e per un una del della in non è sono le da al con si dei gli "
        "anche più alla ha nel come ma delle questo nella degli suo",
        "nl": "de het een en van in is op te dat die voor met zijn niet aan er ook als bij "
        "door om maar dan nog wordt heeft naar uit werd over worden hun",
        "pt": "o a os as de do da dos das e em um uma para com não que por no na se mais "
        "ao foi são como mas ele ela seu sua pelo pela também",
        "sv": "och att det som en på är av för med till den har de inte om ett var jag men "
        "han hon sig från vi så kan eller efter när också nu",
        "no": "og i det som en på er av for med til den har de ikke om et var jeg men han hun "
        "seg fra vi så kan eller etter når også nå skal blir",
        "da": "og i at det som en på er af for med til den har de ikke om et var jeg men han "
        "hun sig fra vi så kan eller efter når også nu skal bliver",
        "pl": "i w na z do się nie to że jest o jak ale po co od za przez dla jego który "
        "tak są być a ten już może tym oraz także",
        "tr": "ve bir bu da de için ile olarak çok daha olan en gibi ama sonra kadar her ne "
        "o olduğu ise değil var şu tarafından yeni",
        "fi": "ja on ei se että oli hän mutta kun myös niin jo ovat tai sen ole kuin vain "
        "joka mukaan sekä ovat",
        "cs": "a v se na je že to s z do o k i jako ale pro by podle jsou po jeho který "
        "také už tak bude",
        "lt": "ir kad yra į su iš bet tai kaip jo buvo apie ar dėl nuo jau taip tik",
        "ro": "și în de la a cu pe că nu din care o un mai pentru este fost sunt ca ai ale",
        "hu": "a az és hogy nem is egy meg de volt van már csak el mint ez azt még",
        "zu": "ukuthi futhi kodwa uma ngoba kanye nje kakhulu lokhu kusho wathi ngesikhathi "
        "abantu ukuba nokho",
        "xh": "ukuba kwaye kodwa xa ngoko nje kakhulu oku ngenxa nabo kule kwi",
    }.items()
}
_WORD = re.compile(r"[^\W\d_]+")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_HAN = re.compile(r"[\u4e00-\u9fff]")
#: Codes pages declare that name one of the languages above.
ALIASES = {"nb": "no", "nn": "no", "in": "id", "iw": "he", "ji": "yi", "zh-hans": "zh"}


def normalise(code: str | None) -> str | None:
    """A declared language as its two-letter code: ``"en-US"`` → ``"en"``, ``"nb_NO"`` →
    ``"no"``; None for no code (or ``"und"``, ``"x-default"``)."""
    if not code:
        return None
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    base = ALIASES.get(base, base)
    return base if re.fullmatch(r"[a-z]{2}", base) else None


_LETTER = re.compile(r"[^\W\d_]")
_EAST_ASIAN = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")


def script_language(text: str) -> str | None:
    """``ja``, ``ko`` or ``zh`` when the text is mostly written in their scripts."""
    if _EAST_ASIAN.search(text) is None:
        return None  # no East Asian script at all: the cheap look first
    letters = len(_LETTER.findall(text))
    if letters < MIN_EAST_ASIAN:
        return None
    kana, hangul, han = (
        len(_KANA.findall(text)),
        len(_HANGUL.findall(text)),
        len(_HAN.findall(text)),
    )
    if (kana + han) * 2 >= letters and kana:
        return "ja"
    if hangul * 2 >= letters:
        return "ko"
    if han * 2 >= letters:
        return "zh"
    return None


def word_shares(text: str) -> dict[str, float]:
    """For each language of :data:`FUNCTION_WORDS`, the share of ``text``'s words that are
    its function words."""
    words = _WORD.findall(text.lower())
    if not words:
        return {}
    return {
        code: sum(1 for w in words if w in common) / len(words)
        for code, common in FUNCTION_WORDS.items()
    }


def own_share(text: str, code: str) -> float:
    """The share of ``text``'s words that are function words of the language ``code``."""
    words = _WORD.findall(text.lower())
    common = FUNCTION_WORDS[code]
    return sum(1 for w in words if w in common) / len(words) if words else 0.0


#: A share of the declared language's function words that settles it without a look at the
#: others' (few texts have an eighth of their words from another language's most common ones).
SURE_SHARE = 0.12
#: How much of the text that look reads (characters).
SURE_CHARS = 600
#: A share of function words that makes a language plausible for a text, and the lead one
#: needs over the next to be told from the words alone.
PLAUSIBLE_SHARE = 0.08
CLEAR_LEAD = 1.6


def by_words(text: str) -> str | None:
    """The language whose function words are clearly the most frequent in ``text``."""
    shares = sorted(word_shares(text).items(), key=lambda pair: pair[1], reverse=True)
    if not shares or shares[0][1] < PLAUSIBLE_SHARE:
        return None
    if len(shares) > 1 and shares[0][1] < CLEAR_LEAD * shares[1][1]:
        return None
    return shares[0][0]


_IDENTIFIER: Any = None
_LOCK = threading.Lock()


def _identifier() -> Any:
    global _IDENTIFIER
    with _LOCK:
        if _IDENTIFIER is None:
            from py3langid.langid import MODEL_FILE, LanguageIdentifier

            _IDENTIFIER = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    return _IDENTIFIER


@lru_cache(maxsize=256)
def by_model(text: str) -> tuple[str, float]:
    """py3langid's language for ``text`` and its probability."""
    code, probability = _identifier().classify(text[:SAMPLE_CHARS])
    return normalise(str(code)) or DEFAULT, float(probability)


#: The probability py3langid needs to overrule a declared language.
OVERRULE = 0.95


def page_language(declared: str | None, text: str) -> str:
    """The language of a page that declares ``declared`` (normalised, or None) and whose
    text is ``text`` (see the module docstring)."""
    sample = text[:SAMPLE_CHARS]
    script = script_language(sample)
    if script is not None:
        return declared if declared in ("ja", "ko", "zh") and declared == script else script
    if sum(map(str.isalpha, sample[: MIN_LETTERS * 4])) < MIN_LETTERS:
        return declared or DEFAULT
    if declared in FUNCTION_WORDS and own_share(sample[:SURE_CHARS], declared) >= SURE_SHARE:
        return declared  # the declared language's words are everywhere: the cheap look first
    shares = word_shares(sample)
    best = max(shares.values(), default=0.0)
    own = shares.get(declared or "", 0.0)
    if declared is not None and own >= PLAUSIBLE_SHARE and own * CLEAR_LEAD >= best:
        return declared
    words = by_words(sample)
    if words is not None:
        return words
    code, probability = by_model(sample)
    if declared is not None and code != declared and probability < OVERRULE:
        return declared
    return code
