"""Promo and boilerplate paragraphs: an ordered list of named rules.

A rule matches a whole paragraph. Matching is case-insensitive and treats any run of
white space as one space. The first matching rule names the drop (counted in stats as
``newscrawl/boilerplate/<site>/<rule>``, e.g. ``newscrawl/boilerplate/news.example/read_also``).
Shared rules apply to every site; a site module adds its own (``Site.promo_rules``), tried
first.

Promo lines no rule names are found on the page (:func:`invitation`, and the generic page's
own signals) and across a site's pages (:class:`RecurringLines`), and left out of the bodies
of the site by :func:`leave_out`, which never takes much of a body.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Container, Iterable, Sequence
from dataclasses import dataclass, field
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


#: The patterns of rule tuples by identity (a tuple and what it compiles to): hashing a tuple
#: of rules hashes each rule, which costs more than the match it is for.
_BY_IDENTITY: dict[int, tuple[tuple[Rule, ...], re.Pattern[str], tuple[str, ...]]] = {}


def _pattern_of(rules: Sequence[Rule]) -> tuple[re.Pattern[str], tuple[str, ...]]:
    """:func:`_one_pattern` of ``rules``, looked up by identity when they are a tuple."""
    entry = _BY_IDENTITY.get(id(rules))
    if entry is not None and entry[0] is rules:
        return entry[1], entry[2]
    pattern, names = _one_pattern(tuple(rules))
    if isinstance(rules, tuple):  # immutable, and kept alive here: its id names it
        if len(_BY_IDENTITY) >= 64:
            _BY_IDENTITY.clear()
        _BY_IDENTITY[id(rules)] = (rules, pattern, names)
    return pattern, names


def _first_rule(paragraph: str, pattern: re.Pattern[str], names: tuple[str, ...]) -> str | None:
    match = pattern.match(clean_text(paragraph))
    return None if match is None else names[int(str(match.lastgroup)[1:])]


def rule_for(paragraph: str, rules: Sequence[Rule]) -> str | None:
    """The name of the first of ``rules`` matching ``paragraph``, or None."""
    return _first_rule(paragraph, *_pattern_of(rules))


def filter_paragraphs(paragraphs: Iterable[str], rules: Sequence[Rule]) -> Cleaned:
    """Keep paragraphs no rule matches; name the first matching rule of each dropped one."""
    pattern, names = _pattern_of(rules)
    kept: list[str] = []
    dropped: list[str] = []
    for paragraph in paragraphs:
        name = _first_rule(paragraph, pattern, names)
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


# --- lines learned across a site's pages -------------------------------------------------
#
# What one page shows is the page's own business; what a page teaches other pages (in this
# run, by recurrence, or in later runs, through the state) must resist an attacker who writes
# any one page and any listing, and text copied from real articles. So a line is learned only
# from pages that are mostly text of their own, only when it has a promo's shape, never when
# any page of the site has it as article text, and a learned line never takes a large share
# of a body away (:func:`leave_out`).

#: A line is never learned from, nor left out of, a body it is more than this share of (in
#: words): a promo line is a small part of an article.
MAX_LINE_SHARE = 0.25
#: Learned lines never take more than this share of a body's words; a page whose promo-shaped
#: lines (or the lines it left out itself) are more than this share of its body teaches
#: nothing.
MAX_REMOVED_SHARE = 1 / 3
#: A line is learned by its recurrence once it was seen on this many distinct pages...
MIN_PAGES = 3
#: ... listed in this many distinct places (:class:`PageLines` ``context``).
MIN_CONTEXTS = 2
#: The most lines one page may teach later runs (lines it also shows outside its body).
MAX_TAUGHT_PER_PAGE = 4
#: The longest line a page may teach (a footer line is at most 300 characters), and the
#: longest line of a page's text kept to know a copy of it.
MAX_LINE_WORDS = 50
#: How many lines of text of the site's pages are kept to know a copy, and how many lines
#: are counted while not yet learned: the learner's memory stays flat on a long crawl.
MAX_TEXT_LINES = 200_000
MAX_PENDING_LINES = 20_000
#: The most places a line's witnesses are counted in (enough for any ``min_contexts``).
MAX_CONTEXTS = 8
#: Pages sharing this many of their text's first lines (by hash) are one page (a copy).
SKETCH_LINES = 4


def promo_shape(line: str) -> bool:
    """A promo-shaped line (:meth:`GenericArticlePage.promo_candidates`) whose shape is a
    promo's own: it opens with an invitation ("Dapatkan ...", "Ikuti ..."), or names no
    channel, so the page set it wholly in bold. A line that is a candidate only for a channel
    word inside a sentence ("Dalam siaran pers ...", "lewat akun Instagram-nya") is the
    article's text."""
    return bool(INVITATION.search(line)) or not channel(line)


def words(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class PageLines:
    """An article as the learner sees it (:func:`page_lines`)."""

    #: Where it was listed: the page that linked it (a sitemap, a feed, a section page; a
    #: start URL is its own) and the section of the site its URL is in.
    context: str
    #: Its body's words, with the lines the page left out itself.
    words: int
    #: Its promo-shaped lines, case-folded.
    candidates: frozenset[str]
    #: Its other lines, case-folded: the article's text.
    text: tuple[str, ...]
    #: The lines the page left out itself (site furniture, invitations), as read.
    left_out: tuple[str, ...]

    @property
    def sketch(self) -> tuple[int, ...]:
        """The smallest hashes of its text lines: two pages sharing most of them are one."""
        return tuple(sorted({hash(line) for line in self.text})[:SKETCH_LINES])


def page_lines(
    body: str, candidates: Iterable[str], left_out: Iterable[str], context: str
) -> PageLines:
    """``body`` (paragraphs joined by blank lines) with its promo-shaped ``candidates`` and the
    lines the page ``left_out`` itself, listed in ``context``."""
    found = frozenset(candidates)
    lines = [clean_text(paragraph).casefold() for paragraph in body.split("\n\n")] if body else []
    text = tuple(line for line in lines if line and line not in found)
    dropped = tuple(left_out)
    return PageLines(context, words(body) + sum(map(words, dropped)), found, text, dropped)


def same_page(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    """Two sketches (:attr:`PageLines.sketch`) of one page's text (a copy under another URL,
    or the same text with a line changed)."""
    return len(set(a) & set(b)) >= max(1, min(2, len(a), len(b)))


@dataclass
class Learning:
    """What one page did to what the site's pages teach (:meth:`RecurringLines.observe`)."""

    #: Lines learned by their recurrence, this page being the last witness (case-folded).
    learned: list[str] = field(default_factory=list)
    #: Lines the page left out itself that later runs may leave out too (as read), and those
    #: of them no page taught before.
    taught: list[str] = field(default_factory=list)
    new_taught: list[str] = field(default_factory=list)
    #: Lines learned or taught before that this page has as its text: unlearned.
    unlearned: list[str] = field(default_factory=list)
    #: Why lines were refused (``shape``, ``copied``, ``share``: once a line; ``page``: a
    #: page that teaches nothing).
    refused: Counter[str] = field(default_factory=Counter)


class Witnesses:
    """The distinct pages (by their text) a line was seen on, and where they were listed."""

    __slots__ = ("contexts", "pages", "sketches")

    def __init__(self) -> None:
        self.pages = 0
        self.sketches: list[tuple[int, ...]] = []
        self.contexts: set[str] = set()

    def add(self, page: PageLines) -> bool:
        """Count ``page`` unless it is a page counted already; whether it was."""
        sketch = page.sketch
        if any(same_page(sketch, seen) for seen in self.sketches):
            return False
        self.pages += 1
        if len(self.sketches) < 4 * MIN_PAGES:
            self.sketches.append(sketch)
        if len(self.contexts) < MAX_CONTEXTS:
            self.contexts.add(page.context)
        return True


class RecurringLines:
    """The lines learned on one site: remembered by earlier runs (``remembered``), and learned
    in this run from its pages (:meth:`observe`). ``line in lines`` (case-folded): a line to
    leave out of the site's bodies (:func:`leave_out`).

    A line is learned by its recurrence when it is promo-shaped (:func:`promo_shape`) on
    ``min_pages`` distinct pages (by their text, not their URLs) listed in ``min_contexts``
    distinct places, is at most :data:`MAX_LINE_SHARE` of each of them, and no page of the site
    has it as text (a body sentence, or a copy of one). A page whose promo-shaped lines are
    more than :data:`MAX_REMOVED_SHARE` of its body witnesses nothing.

    Lines a page left out itself (:meth:`GenericArticlePage.learned_lines`: a line it also
    shows outside the body, an invitation) are *taught* to later runs, unless the page left out
    more than :data:`MAX_TAUGHT_PER_PAGE` lines or :data:`MAX_REMOVED_SHARE` of its body, or
    the line is long, a large share of that body, or text of another page of the site. A line
    learned or taught that a later page has as its text is unlearned.
    """

    def __init__(
        self,
        remembered: Iterable[str] = (),
        min_pages: int = MIN_PAGES,
        min_contexts: int = MIN_CONTEXTS,
    ) -> None:
        self.remembered = frozenset(line.casefold() for line in remembered)
        self.min_pages = min_pages
        self.min_contexts = min_contexts
        #: Lines learned in this run, and taught to later runs.
        self.learned: set[str] = set()
        self.taught: set[str] = set()
        #: Lines not learned yet, with their witnesses (oldest first).
        self.pending: dict[str, Witnesses] = {}
        #: Hashes of the short lines the site's pages have as text; lines never to learn in
        #: this run (a copy of text, a channel word in a sentence, a large share of a body).
        self.text: set[int] = set()
        self.never: set[str] = set()

    def __contains__(self, line: object) -> bool:
        return line in self.learned or line in self.remembered

    def __bool__(self) -> bool:
        return bool(self.learned or self.remembered)

    def observe(self, page: PageLines) -> Learning:
        """Learn from ``page``: its text, the lines it left out, its promo-shaped lines."""
        seen = Learning()
        self._read_text(page, seen)
        self._teach(page, seen)
        self._count(page, seen)
        return seen

    def _refuse(self, line: str, reason: str, seen: Learning) -> None:
        """Never learn ``line`` in this run; counted once a line."""
        if line not in self.never:
            seen.refused[reason] += 1
            if len(self.never) < MAX_PENDING_LINES:
                self.never.add(line)
        self.pending.pop(line, None)

    @staticmethod
    def _refuse_page(seen: Learning) -> None:
        """The page teaches nothing: counted once a page."""
        seen.refused["page"] = 1

    def _read_text(self, page: PageLines, seen: Learning) -> None:
        for line in page.text:
            if line in self.learned or line in self.taught:
                self.learned.discard(line)
                self.taught.discard(line)
                seen.unlearned.append(line)
                self._refuse(line, "copied", seen)
            if len(self.text) < MAX_TEXT_LINES and words(line) <= MAX_LINE_WORDS:
                self.text.add(hash(line))

    def _refused(self, line: str) -> bool:
        """A line refused before, or a page's text (a body sentence, or a copy of one)."""
        return line in self.never or hash(line) in self.text

    def _teach(self, page: PageLines, seen: Learning) -> None:
        if not page.left_out:
            return
        distinct = {line.casefold() for line in page.left_out}
        left = sum(map(words, page.left_out))
        if len(distinct) > MAX_TAUGHT_PER_PAGE or left > MAX_REMOVED_SHARE * page.words:
            self._refuse_page(seen)
            return
        for line in page.left_out:
            folded = line.casefold()
            if self._refused(folded):
                self._refuse(folded, "copied", seen)
            elif words(line) > min(MAX_LINE_WORDS, MAX_LINE_SHARE * page.words):
                self._refuse(folded, "share", seen)
            else:
                if folded not in self.taught:
                    self.taught.add(folded)
                    seen.new_taught.append(line)
                seen.taught.append(line)

    def _count(self, page: PageLines, seen: Learning) -> None:
        fresh = sorted(line for line in page.candidates if line not in self)
        if not fresh:
            return
        if sum(map(words, page.candidates)) > MAX_REMOVED_SHARE * page.words:
            self._refuse_page(seen)
            return
        for line in fresh:
            if not promo_shape(line):
                self._refuse(line, "shape", seen)
            elif self._refused(line):
                self._refuse(line, "copied", seen)
            elif words(line) > MAX_LINE_SHARE * page.words:
                self._refuse(line, "share", seen)
            else:
                witnesses = self.pending.get(line)
                if witnesses is None:
                    witnesses = self.pending[line] = Witnesses()
                    while len(self.pending) > MAX_PENDING_LINES:
                        del self.pending[next(iter(self.pending))]
                if witnesses.add(page) and self._enough(witnesses):
                    del self.pending[line]
                    self.learned.add(line)
                    seen.learned.append(line)

    def _enough(self, witnesses: Witnesses) -> bool:
        return witnesses.pages >= self.min_pages and len(witnesses.contexts) >= self.min_contexts


@dataclass(frozen=True)
class LeftOut:
    """A body after :func:`leave_out`: the body, the paragraphs left out, and the learned
    lines kept because leaving them out would take too much of it (``would_empty``: all)."""

    body: str
    removed: list[str]
    kept: list[str]
    would_empty: bool = False


def leave_out(body: str, lines: Container[str]) -> LeftOut:
    """``body`` without its paragraphs that are learned ``lines`` (case-folded, cleaned), but
    never a line that is more than :data:`MAX_LINE_SHARE` of the body's words, never more than
    :data:`MAX_REMOVED_SHARE` of them in all, and never the whole body: those lines stay, listed
    in ``kept``."""
    hits: list[tuple[str, str]] = []
    paragraphs = 0
    for paragraph in body.split("\n\n"):
        text = clean_text(paragraph)
        if not text:
            continue
        paragraphs += 1
        if text.casefold() in lines:
            hits.append((text.casefold(), text))
    if not hits:
        return LeftOut(body, [], [])
    total = words(body)
    kept = {folded: text for folded, text in hits if words(text) > MAX_LINE_SHARE * total}
    small = [(folded, text) for folded, text in hits if folded not in kept]
    would_empty = len(hits) == paragraphs
    if would_empty or sum(words(text) for _, text in small) > MAX_REMOVED_SHARE * total:
        return LeftOut(body, [], list(dict(hits).values()), would_empty)
    left, removed = drop_lines(body, {folded for folded, _ in small})
    return LeftOut(left or body, removed, list(kept.values()))


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
