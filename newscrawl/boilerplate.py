"""Promo and boilerplate paragraphs: an ordered list of named rules.

A rule matches a whole paragraph. Matching is case-insensitive and treats any run of
white space as one space. The first matching rule names the drop (counted in stats as
``newscrawl/boilerplate/<site>/<rule>``, e.g. ``newscrawl/boilerplate/news.example/read_also``).
Shared rules apply to every site; a site module adds its own (``Site.promo_rules``), tried
first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from newscrawl.processors import clean_text


@dataclass(frozen=True)
class Rule:
    """A named paragraph pattern; ``pattern`` is matched from the paragraph's start."""

    name: str
    pattern: re.Pattern[str]

    def matches(self, paragraph: str) -> bool:
        return bool(self.pattern.match(paragraph))


def rule(name: str, regex: str) -> Rule:
    """A rule from a lower-case regex: a space means any white space, `` ?`` optional space."""
    flexible = regex.replace(" ?", r"\s*").replace(" ", r"\s+")
    return Rule(name, re.compile(flexible, re.IGNORECASE))


#: Rules every site shares, in order.
SHARED_RULES: tuple[Rule, ...] = (
    rule("read_also", r"(baca|simak|lihat) (juga|pula)\b|baca ?:"),
    rule("watch_video", r"(simak|saksikan|tonton) video\b|\[gambas ?:"),
    rule("embed_caption", r"a post shared by .*\(@\w+\)$"),
    rule("disclaimer", r"disclaimer ?:"),
)


@dataclass
class Cleaned:
    """The outcome of filtering a body: kept paragraphs and the rule of each dropped one."""

    kept: list[str]
    dropped: list[str]


@lru_cache(maxsize=64)
def _one_pattern(rules: tuple[Rule, ...]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """``rules`` as one alternation (group ``r<n>`` is rule n): one match per paragraph instead
    of one per rule; the first alternative that matches is the first rule that does."""
    names = tuple(r.name for r in rules)
    if not rules:
        return re.compile(r"(?!)"), names
    parts = [f"(?P<r{n}>{r.pattern.pattern})" for n, r in enumerate(rules)]
    return re.compile("|".join(parts), re.IGNORECASE), names


def rule_for(paragraph: str, rules: Sequence[Rule]) -> str | None:
    """The name of the first of ``rules`` matching ``paragraph``, or None."""
    pattern, names = _one_pattern(tuple(rules))
    match = pattern.match(clean_text(paragraph))
    return None if match is None else names[int(str(match.lastgroup)[1:])]


def filter_paragraphs(paragraphs: Iterable[str], rules: Sequence[Rule]) -> Cleaned:
    """Keep paragraphs no rule matches; name the first matching rule of each dropped one."""
    kept: list[str] = []
    dropped: list[str] = []
    for paragraph in paragraphs:
        name = rule_for(paragraph, rules)
        if name is None:
            kept.append(paragraph)
        else:
            dropped.append(name)
    return Cleaned(kept, dropped)


# --- promo lines no rule names -----------------------------------------------------------

#: How an invitation opens: to follow, download, join, subscribe, watch...
INVITATION = re.compile(
    r"^\W*(?:simak|unduh|download|ikuti|follow|gabung|bergabung|dapatkan|kirim|klik|cek|"
    r"baca berita|langganan|berlangganan|tonton|saksikan|install|pasang|subscribe|join|"
    r"jangan lewatkan|yuk)\b",
    re.IGNORECASE,
)


def _word(word: str) -> str:
    """``word`` as a whole word, written to start with its first letter (``\\bword\\b`` would
    start with an assertion, and Python's matcher then tries every branch at every place)."""
    return rf"{word}\b(?<!\w{word})"


#: Where an invitation leads: an app, a store, a channel, a newsletter, the newsroom's mail.
#: Matched against case-folded text (:func:`channel`): every branch opens with a letter, so
#: the matcher skips ahead to the places a branch can start (~9 µs a line, not ~85 µs).
CHANNEL = re.compile(
    "|".join(
        ["aplikasi", _word("app"), _word("apps"), "play ?store", "app ?store", "google news",
         "whatsapp", _word("wa"), "telegram", "newsletter", "buletin", "youtube", "instagram",
         "tiktok", "twitter", "facebook", _word("kanal"), "channel", "e-?mail", "surel", "@",
         "langganan", _word("tv"), "siaran", "notifikasi", _word("iklan"), _word("gabung")]
    )
)  # fmt: skip


def channel(text: str) -> bool:
    """``text`` names where an invitation leads (:data:`CHANNEL`), in any case."""
    return CHANNEL.search(text.casefold()) is not None


#: A promo line is short.
MAX_PROMO_WORDS = 30


def invitation(text: str) -> bool:
    """A short line inviting the reader to an app, a channel, a newsletter or a subscription
    ("Ikuti berita terkini di Google News", "Unduh aplikasi ... di Play Store"): a promo line,
    whatever the site."""
    return len(text.split()) <= MAX_PROMO_WORDS and bool(INVITATION.search(text)) and channel(text)


class RecurringLines:
    """Short lines shaped like a promo (an invitation verb or a channel, or wholly
    emphasised) seen in the bodies of distinct articles of one site: one seen in
    ``min_articles`` of them is learned. A body sentence can recur too (a table's lead-in
    recurs in 7 of 49 articles of a reference site), so the shape is required, not just the
    count."""

    def __init__(self, min_articles: int = 3) -> None:
        self.min_articles = min_articles
        self.seen: dict[str, set[str]] = {}

    def observe(self, article_id: str, lines: Iterable[str]) -> list[str]:
        """Count ``lines`` (case-folded) for ``article_id``; the lines learned by it."""
        learned = []
        for line in lines:
            articles = self.seen.setdefault(line, set())
            if article_id not in articles:
                articles.add(article_id)
                if len(articles) == self.min_articles:
                    learned.append(line)
        return learned


def drop_lines(body: str, lines: set[str]) -> tuple[str | None, list[str]]:
    """``body`` without its paragraphs whose case-folded, cleaned text is one of ``lines``
    (the body then, None when nothing is left; and the paragraphs dropped)."""
    kept: list[str] = []
    dropped: list[str] = []
    for paragraph in body.split("\n\n"):
        text = clean_text(paragraph)
        if text.casefold() in lines:
            dropped.append(text)
        else:
            kept.append(paragraph)
    return ("\n\n".join(kept) or None), dropped
