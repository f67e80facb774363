"""Authors of any page: names read from JSON-LD and from the visible byline, cleaned.

Pure functions: a byline's text to its names (:func:`byline_names`: labels, dates, roles and
the site's name cut; names split on "und", "and", "dan", "&", "," ...), a name cleaned
(:func:`clean_name`: "(obe)"-style initials tags dropped, e-mail addresses and job titles
refused), JSON-LD ``author`` values to names (:func:`json_ld_names`: persons only, by
``name``, ``givenName``/``familyName`` or ``byline``; references by ``@id`` resolved), and
whether two lists name the same people (:func:`same_people`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from newscrawl.processors import clean_text

#: Labels that open a byline, in the languages of the news: "By", "Von", "Oleh", "Penulis:",
#: "Autorin/Autor", "Text:" (with its colon: a "Text" button is no byline), "Par", "Por",
#: "Reporter:"; "By" written against its name ("ByJane Doe"), or against a "by" the byline
#: repeats ("<span>By</span><span>by JOSH HASKELL</span>": "Byby JOSH HASKELL").
BYLINE_LABEL = re.compile(
    r"^\W*(?:(?-i:by(?=[A-Z])|By(?=[A-Z][a-z])|By(?=by\b))|"
    r"(?:written by|words by|story by|reported by|"
    r"more stories by|by|von|par|por|"
    r"door|av|af|oleh|penulis|reporter|pewarta|penyusun|writer|piše|autorin\s*/\s*autor|autor\s*/\s*autorin|"
    r"autorin|autoren|autor|author|authors|auteur|auteurs|yazar|kirjoittanut|"
    r"redakteur(?:in)?|correspondent)\b|(?:text|texte)(?:\s*/\s*\w+)?\s*(?=:))\s*:?\s*",
    re.IGNORECASE,
)
#: A label of one word and a colon before the names, in any language ("Автор: Иван Петров",
#: "Muhabir: Ali Veli", "Autorka: Anna Nowak", "作者：李明", "كتب: أحمد محمود"): a name has two
#: words or more; and the labels without a colon of scripts the pattern above cannot spell
#: with its word boundaries ("记者 李明", "بقلم أحمد محمود"), and Italian's "di".
_ONE_WORD_LABEL = re.compile(
    r"^\W*(?:[^\W\d_][^\s:：]*\s*[:：]|(?:记者|記者|撰文|بقلم|di(?=\s+[A-Z]))\s*[:：]?)\s*"
)
#: Korean letters (a Korean byline's "=" joins a place, a paper or an agency to the name).
_HANGUL = re.compile(r"[\uac00-\ud7af]")
#: A Korean agency's dateline before a byline: "(서울=연합뉴스)".
_PLACE_AGENCY = re.compile(r"^\s*\([^()=]*=[^()]*\)\s*")
#: Labels of people who did not write the text: editors, photographers, sources, translators.
_NOT_WRITERS = re.compile(
    r"edit|redak|redac|redaz|penyunting|foto|photo|bild|image|ilustra|illustra|"
    r"grafi|source|sumber|quelle|fuente|fonte|credit|kredit|video|kamera|camera|übersetz|"
    r"translat|terjemah",
    re.IGNORECASE,
)
#: A reporter's or a correspondent's title after the name (Korean's "김민수 기자", Japanese's
#: "山田太郎記者", Chinese's "李明 记者"): not the name's.
_NAME_SUFFIX = re.compile(r"\s*(?:기자|특파원|記者|记者|特派員|特派员)$")
#: Labels of bylines that end with the writer's place ("Von Ines Zöttl, Washington",
#: "Par Jean Dupont, à Paris"), and that place: one word after a comma, after a full name.
_PLACED_LABEL = re.compile(r"^\W*(?:von|par|por|door|av|af)\s", re.IGNORECASE)
_PLACE_WORDS = frozenset({"à", "in", "en", "i", "aus", "from"})


def without_place(names: str) -> str:
    """A byline's names without the place after them: "Ines Zöttl, Washington" → "Ines
    Zöttl", "Jean Dupont, à Paris" → "Jean Dupont" (one word after the last comma, the one
    name before it a full one); "A B, C D", "A, B" and "A und B, dpa" stay."""
    head, comma, tail = names.rpartition(",")
    words = tail.split()
    if words and words[0].lower() in _PLACE_WORDS:
        words = words[1:]
    if not comma or len(words) != 1 or not words[0][:1].isupper():
        return names
    if len(head.split()) >= 2 and len(split_names(head)) == 1:
        return head  # one full name, then a place
    return names


#: Where a byline's names end: an editor's label, a day's name, a digit (a date, a time,
#: "5 hours ago"), an address's "@", a separator before something else ("| Editor: B",
#: "Published on ..."), a social network's name, a "(" glued to the name ("Ducourtieux(
#: Bruxelles"), a date that names its month ("on December 13, 2016", "Dec. 5, 2016"; not
#: "Rachel May, 12 March 2024"), a blog's category and date ("Written by A in Linux on 1 June
#: 2019"), an agency added ("Par Marie Dupont avec AFP", "Por Juan Pérez con EFE"), a short
#: word before a date (a day's: "Door Jan de Vries di 5 mrt 2024"), a correspondent's title
#: and place ("di Mario Rossi, inviato a Kiev": "a" also joins two names in Czech).
_NAMES_END = re.compile(
    r"\s+[|•·]\s+|\s+(?:avec|with|con|com|mit|met)\s+(?-i:[A-Z]{2,5}\b|dpa\b|epd\b|kna\b)|"
    r"\s+(?-i:[a-z]{1,3})\.?,?\s+(?=\d)|,?\s+(?:inviat[oa]|enviad[oa]|envoyée?|"
    r"corrispondente|corresponsal|correspondent|korrespondent(?:in)?)\b|\s+in\s+(?=(?:\S+\s+){1,3}on\s)|\b(?:editor|editing|penyunting|redaktur|redaktion|fotograf|photos?|"
    r"published|updated|veröffentlicht|aktualisiert|stand|diperbarui|publié|publicado|"
    r"pubblicato|publicerad|publisert|last updated|posted|read more|lesedauer|min read|"
    r"zuerst|first published|erstmals|translated|translator|übersetzt|übersetzung|"
    r"traducción|traduction|traduzione)\b|翻訳|翻译|译者|@|"
    r"\d|\b(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday|montag|dienstag|mittwoch|donnerstag|freitag|"
    r"samstag|sonntag|twitter|facebook|instagram|linkedin)\b|(?<=[^\W\d_])\(|"
    r"\b(?:on\s+)?(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b\.?"
    r"(?=\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4}|,|\s+at\b))|\bon\s+(?=[a-z]+\.?\s+\d)",
    re.IGNORECASE,
)
#: Names added in parentheses ("Martin Untersinger (avec Damien Leloup et Morgane Tual)"):
#: they are authors too, when they are names alone (:func:`_added_names`).
_WITH_NAMES = re.compile(
    r"\s*\(\s*(?:with|avec|mit|con|com|met|dengan|bersama)\s+([^()]+)\)", re.IGNORECASE
)
#: "by" again after the label ("By by JOSH HASKELL").
_BY_AGAIN = re.compile(r"^\W*by\b\s*:?\s*", re.IGNORECASE)
#: Words of a job's title beside a name ("Sam Stein Senior Politics Editor", "Steve Gillman
#: Contributor", "Senior Reporter Jane Doe"): the name is the words before the first, or
#: after the last when the title comes first.
_ROLE_WORDS = frozenset(
    {"senior", "contributor", "contributing", "columnist", "correspondent", "writer",
     "reporter", "staff", "editor", "editors", "journalist", "producer", "intern"}
)  # fmt: skip
#: Words of a sentence or a link's text, never of a name ("Follow us on Twitter", "See all",
#: "Jane Doe View all posts", "Gracie J using Floss Gloss"): a name shown ends before the
#: first (none when it is the first).
_SENTENCE_WORDS = frozenset(
    {"us", "on", "all", "the", "of", "to", "for", "with", "more", "our", "your", "at", "from",
     "using", "see", "view", "via", "is", "was", "has", "follow", "read", "by", "edited",
     "ago", "vor", "prije", "před"}
)  # fmt: skip
#: Words of a name that are written in small letters: its particles ("Mark van der Berg",
#: "Ana de la Torre", "Ahmed al-Sayed").
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la",
     "le", "al", "el", "bin", "binti", "ibn", "ter", "ten", "te", "het", "'t", "op", "zu",
     "y", "e"}
)  # fmt: skip


def _name_word(word: str) -> bool:
    """A word a name may hold: not in small letters (capitalised, or of a script without
    case), or a particle ("van", "al-Sayed")."""
    return not word[:1].islower() or word.split("-", 1)[0].casefold() in _PARTICLES


#: Separators of two or more names: ",", "&", ";", "/", and the word for "and".
NAME_SEPARATOR = re.compile(
    r"\s*(?:,|&|;|\s/\s|\b(?:and|und|dan|et|og|och|en|ve|y|e|i|a)\b(?!\.))\s*"
)
#: An editor-initials tag after a name: "Elena Oberholzer (obe)", "Corina Gall (cog.)".
_INITIALS_TAG = re.compile(r"\s*\(\s*[a-z]{2,5}\.?\s*\)\s*$")
_EMAIL = re.compile(r"\S+@\S+\.\w+")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
#: A title glued to a name by a page that prints them in two elements: "Sophie
#: FosterTravel News Reporter" (not "McCarthy", "DeSantis", "MacKenzie").
_GLUED = re.compile(r"(?<=[a-zà-ÿ]{3})(?<!\bMac)(?=[A-ZÀ-Þ][a-zà-ÿ]{2})")
#: Words a byline shows that are no one's name: months, days (Drupal's "By A, Tue, 03/05/2024
#: - 10:30"), networks, labels.
NOT_NAMES = frozenset(
    {"january", "february", "march", "april", "may", "june", "july", "august", "september",
     "october", "november", "december", "januar", "februar", "märz", "mai", "juni", "juli",
     "oktober", "dezember", "januari", "februari", "maret", "agustus", "desember", "twitter",
     "facebook", "instagram", "linkedin", "whatsapp", "telegram", "email", "e-mail", "mail",
     "x", "artikel", "article", "text", "foto", "photo", "bild", "video", "audio", "redaktion",
     "editor", "share", "teilen", "follow", "folgen", "profil", "profile", "more", "mehr",
     "mon", "tue", "tues", "wed", "thu", "thur", "thurs", "fri", "sat", "sun", "monday",
     "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
)  # fmt: skip
#: The most words a person's name has.
MAX_NAME_WORDS = 5


def clean_name(text: str, shown: bool = True) -> str | None:
    """A person's name as a byline prints it, cleaned: initials tags cut ("Elena Oberholzer
    (obe)" → "Elena Oberholzer"), a glued title cut ("Sophie FosterTravel News Reporter" →
    "Sophie Foster"), a trailing comma or colon cut; None for no name (an e-mail address, a
    URL, digits, a month's or a network's name). A name ``shown`` on the page (not given as
    data) must also open with a capital letter (not "of the article")."""
    name = clean_text(text)
    name = _INITIALS_TAG.sub("", name)
    name = _NAME_SUFFIX.sub("", name)
    glued = _GLUED.search(name)
    if glued is not None and " " in name[: glued.start()]:
        name = name[: glued.start()]
    name = name.strip(" ,;:|/-–—·•").strip()
    if not name or _EMAIL.search(name) or _URL.search(name):
        return None
    words = name.split()
    if shown:  # (in data, a desk's name: "Guardian staff reporter")
        kept = _without_title(words)
        if kept is None:
            return None
        words = kept
        name = " ".join(words).strip(" ,;:|-–—·•")
        if not name:
            return None
    if len(words) > MAX_NAME_WORDS or not any(ch.isalpha() for ch in name):
        return None
    if all(word.casefold() in NOT_NAMES for word in words):
        return None  # "Twitter", "Twitter Facebook": a share box's, no person's
    if shown and not (name[0].isalpha() and not name[0].islower()):
        return None  # words of a sentence ("of the article", "(max."), not a name
    if sum(ch.isdigit() for ch in name) > 0:
        return None
    return name


def _without_title(words: list[str]) -> list[str] | None:
    """A shown name's words without what follows it (a sentence's or a link's words, a job's
    title: :data:`_SENTENCE_WORDS`, :data:`_ROLE_WORDS`) or a title before it ("Senior
    Reporter Jane Doe"); None for no name: fewer than two words before a sentence's words
    ("Terms of Use", "Follow us on Twitter"), words in small letters but a name's particles
    (:data:`_PARTICLES`: "Latest news"), a title alone or after one word ("Staff Writer",
    "Times Staff Writer")."""
    if len(words) > MAX_NAME_WORDS + 1:
        return None  # a sentence, or a name in a sentence
    stop = next((n for n, w in enumerate(words) if w.casefold() in _SENTENCE_WORDS), None)
    if stop is not None:  # a name then other words ("Jane Doe View all posts")
        if stop < 2:
            return None  # "Terms of Use", "See all": no name before them
        words = words[:stop]
    if not all(
        _name_word(w) or (w == "in" and after.casefold() in _PARTICLES)
        for w, after in zip(words, [*words[1:], ""], strict=True)
    ):
        return None  # "Latest news", "Das Magazin für Lesben": no one's name
    titled = [n for n, w in enumerate(words) if w.casefold() in _ROLE_WORDS]
    if not titled:
        return words or None
    if titled[0] == 0:  # the title first: the name after it
        rest = words[titled[-1] + 1 :]
        return rest if len(rest) >= 2 and all(_name_word(w) for w in rest) else None
    before = words[: titled[0]]
    if len(before) < 2 or not all(_name_word(w) for w in before):
        return None
    return before


def split_names(text: str) -> list[str]:
    """Names joined by separators: ``"Ani dan Budi"`` → ``["Ani", "Budi"]``, ``"A und B, C"``
    → ``["A", "B", "C"]``."""
    return [name for name in NAME_SEPARATOR.split(clean_text(text)) if name and name.strip()]


#: Separators of the names of a line of names alone: those of :data:`NAME_SEPARATOR`,
#: and "/" without spaces ("Mathatisi Sebusi/Mohalenyane Phakela").
_LONE_NAMES_SEPARATOR = re.compile(rf"{NAME_SEPARATOR.pattern}|\s*/\s*")
#: A word of a line of names alone, all letters: "Mpesi", "Anne-Marie", "O'Brien", "J.".
_LONE_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’.-][^\W\d_]*)*$")
#: The most names a line of names alone gives.
MAX_LONE_NAMES = 4


def lone_names(line: str) -> list[str]:
    """The names of a line that is names and nothing else ("Mohloai Mpesi", "Mathatisi
    Sebusi/Mohalenyane Phakela"): each of two to four words, every word capitalised;
    none for a sentence, a date or a label. A heading of capitalised words ("Key Points")
    passes: ask only of a line where a byline stands."""
    line = clean_text(line)
    if not line or line[-1] in ".!?:;" or any(ch.isdigit() for ch in line):
        return []
    parts = [part for part in _LONE_NAMES_SEPARATOR.split(line) if part and part.strip()]
    if not 1 <= len(parts) <= MAX_LONE_NAMES:
        return []
    names = []
    for part in parts:
        words = part.split()
        if not 2 <= len(words) <= 4 or not all(
            w[0].isupper() and _LONE_NAME_WORD.match(w) for w in words
        ):
            return []
        name = clean_name(part)
        if name is None or any(w.casefold() in NOT_NAMES for w in words):
            return []
        names.append(name)
    return names


def _added_names(match: re.Match[str]) -> str:
    """What a byline keeps of the names added in parentheses (:data:`_WITH_NAMES`): them, as
    more names, when they are names alone (:func:`lone_names`); nothing for a credit ("mit
    Material von Reuters", "with reporting by John Roe") or an agency's name."""
    names = lone_names(match.group(1))
    return "".join(f", {name}" for name in names)


#: One word of two to five capital letters: a news service's or a desk's code ("TNN": the
#: Times News Network; "PTI", "AFP", "DPA", "BNS", "ТАСС"), no person's name.
_DESK_CODE = re.compile(r"[A-ZА-ЯЁ]{2,5}")
#: Words that name an organisation, never a person: agencies, newsrooms and desks, the
#: press, news and newspapers, in the languages of the news; and news agencies' names. Not
#: words that are people's names too ("press": Eyal Press; "haber": Matt Haber; "antara":
#: Antara Dev Sen; "bloomberg": Michael R. Bloomberg): those count in phrases alone.
ORGANISATION_WORDS = frozenset(
    {"agencia", "agência", "agenzia", "agence", "agentur", "agency", "ajansı", "redazione",
     "redacción", "redação", "redaktion", "redactie", "redakcja", "redakce", "redaksi",
     "редакция", "newsroom", "newsdesk", "desk", "staff", "presse", "prensa", "presse-agentur",
     "news", "nachrichten", "noticias", "notícias", "notizie", "nieuws", "merkezi", "новости",
     "jornal", "diário", "diario", "zeitung", "gazeta", "gazette", "giornale", "krant",
     "dagblad", "gazete", "газета", "reuters", "xinhua", "bernama", "kyodo", "yonhap",
     "keystone", "belga"}
)  # fmt: skip
#: Organisations' names made of words that are people's names too.
_ORGANISATION_PHRASES = re.compile(
    r"\b(?:associated press|europa press|press association|press trust|canadian press)\b",
    re.IGNORECASE,
)


def desk_code(name: str) -> bool:
    """``name`` is a news service's or a desk's code (:data:`_DESK_CODE`), not a person's."""
    return _DESK_CODE.fullmatch(name) is not None


def organisation(name: str) -> bool:
    """``name`` is an organisation's, not a person's: a desk's code (:func:`desk_code`), or
    a name holding a word of :data:`ORGANISATION_WORDS` ("Agencia EFE", "Redazione ANSA",
    "РИА Новости", "Jornal Paulistano") or a phrase of :data:`_ORGANISATION_PHRASES`
    ("Europa Press", "The Associated Press")."""
    if desk_code(name) or _ORGANISATION_PHRASES.search(name):
        return True
    return not ORGANISATION_WORDS.isdisjoint(name.casefold().split())


def byline_names(text: str, site_names: Iterable[str] = ()) -> list[str]:
    """The names of a byline's text: its label cut ("By", "Von", "Oleh", "Penulis:"), cut
    where something else starts (an editor's label, a date, a time, " | "), split into names,
    each cleaned (:func:`clean_name`); the site's own name (``site_names``, case-folded) is
    no person."""
    text = clean_text(text)
    if text.startswith("#"):
        return []  # a hashtag, a series' name ("#Krótko o przepisach prawa ...")
    placed = _PLACED_LABEL.match(text) is not None
    text = BYLINE_LABEL.sub("", text, count=1)
    # Korean news: "(서울=연합뉴스) 김민수 기자 =" (place=agency, then the reporter), and
    # "스포츠조선=선수민 기자" (the paper=the reporter)
    if "=" in text and _HANGUL.search(text):
        text = _PLACE_AGENCY.sub("", text).rstrip(" =").rpartition("=")[2]
    label = _ONE_WORD_LABEL.match(text)  # "Автор: ...", "Muhabir: ...", "作者：..."
    if label is not None:
        if _NOT_WRITERS.search(label.group()):
            return []  # "Editor : Nancy Junita", "Foto: ...": no writer's label
        text = text[label.end() :]
    text = _BY_AGAIN.sub("", text, count=1)  # "By by JOSH HASKELL" (not "By Oleh Pavliuk")
    text = _WITH_NAMES.sub(_added_names, text)
    end = _NAMES_END.search(text)
    if end is not None:
        text = text[: end.start()]
    text = re.sub(r"\s+[-–—]\s+\S.*$", "", text)  # "A - Brand.com", "A – Kota"
    if placed:
        text = without_place(text)
    own = {name.casefold() for name in site_names}
    names = []
    for part in split_names(text):
        name = clean_name(part)
        if name and name.casefold() not in own and name not in names:
            names.append(name)
    return names


def _is_person(node: Mapping[str, object]) -> bool:
    kind = node.get("@type", "Person")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(str(k).lower() == "person" for k in kinds)


#: The last part of the address of a site's account, not a person's ("/author/admin/").
_ACCOUNTS = frozenset({"admin", "administrator", "webmaster", "wpadmin", "superuser"})


def _account(person: Mapping[str, object]) -> bool:
    """A JSON-LD person that is a site's account: its ``@id`` or ``url`` ends with
    ``/admin/`` (a WordPress site's default user), or it is named so."""
    for key in ("@id", "url"):
        value = person.get(key)
        if isinstance(value, str):
            path = value.split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
            if path.casefold() in _ACCOUNTS:
                return True
    name = person.get("name")
    return isinstance(name, str) and name.strip().casefold() in _ACCOUNTS


def json_ld_names(author: object, graph: Mapping[str, Mapping[str, object]]) -> list[str]:
    """The persons of a JSON-LD ``author`` value (one or a list; strings, or objects named
    by ``name``, ``givenName`` + ``familyName`` or ``byline``; ``{"@id": ...}`` looked up in
    ``graph``, the page's objects by ``@id``); organisations are no authors."""
    found: list[str] = []
    for person in author if isinstance(author, list) else [author]:
        if isinstance(person, str):
            found += [n for part in split_names(person) if (n := clean_name(part, shown=False))]
            continue
        if not isinstance(person, Mapping):
            continue
        if set(person) <= {"@id", "@type"} and isinstance(person.get("@id"), str):
            person = graph.get(str(person["@id"]), person)
        if not _is_person(person) or _account(person):
            continue
        name = person.get("name") or person.get("byline")
        if not isinstance(name, str) or not name.strip():
            given, family = person.get("givenName"), person.get("familyName")
            name = " ".join(str(p) for p in (given, family) if isinstance(p, str) and p.strip())
        found += [n for part in split_names(str(name)) if (n := clean_name(part, shown=False))]
    return list(dict.fromkeys(found))


def full_names(names: Iterable[str]) -> bool:
    """True when every one of ``names`` is a full name (two words or more): what a byline
    must show to overrule the page's data."""
    names = list(names)
    return bool(names) and all(len(name.split()) >= 2 for name in names)


def same_people(first: Iterable[str], second: Iterable[str]) -> bool:
    """True when the two lists name someone in common (a name's words, case aside, in a name
    of the other list: "Ani" and "Ani Lestari")."""
    words = [set(name.casefold().split()) for name in second]
    return any(
        bool(mine) and any(mine <= theirs or theirs <= mine for theirs in words if theirs)
        for mine in (set(name.casefold().split()) for name in first)
    )


def more_people(first: Iterable[str], second: Iterable[str]) -> bool:
    """True when ``first`` names everyone ``second`` names (as :func:`same_people` matches a
    name) and someone more: a byline of two authors where the data names one (Ghost's
    JSON-LD names a post's first author only)."""
    first, second = list(first), list(second)
    matched = [any(same_people([mine], [theirs]) for theirs in second) for mine in first]
    return all(same_people(first, [theirs]) for theirs in second) and not all(matched)
