"""The real-web corpus (``tests/fixtures/realworld/``): its pages, what each should give, and
the scores of what a reader gave. Shared by ``bench/realworld.py`` and ``tests/test_realworld.py``.

Sets (``tests/fixtures/realworld/README.md`` has the sources and licences):

- ``fundus``: 187 pages of 128 publishers in 30 countries; title, authors, published instant,
  body (the summary, then each section's headline and paragraphs), language.
- ``readability``: 130 pages (news, blogs, docs; 8 are not articles and should give no item),
  each served as a site of its own at ``http://fakehost-<folder>/test/page.html`` (a page of
  Readability's tests is at ``http://fakehost/test/page.html``; one host for all would make
  130 sites one, and one page's trouble everyone's); title, published time where known, body
  (the text of Readability's ``expected.html``), language (``<html lang>`` as Readability read
  it).
- ``htmldate``: 150 news pages of MediaCloud (worldwide); the publication day only (unknown
  for 3).
- ``trafilatura``: 150 pages of trafilatura's evaluation (mostly German, not only news);
  snippets the body must hold and must not hold. The 6 known by a file name alone are served
  at ``http://fakehost-<number>/page.html``.

Scores of one page (:func:`score`), ``None`` where the corpus does not know the field:

- ``item``: an item was given (for a page that is not an article, ``no_item`` instead);
- ``title``: equal after normalising (Unicode NFKC, case, quotes, spaces); ``title_soft``:
  equal, or token F1 ≥ 0.8 (Fundus sometimes expects the SEO headline);
- ``authors``: the same set of people, names normalised (case, spaces, "Dr."), organisations
  left out on both sides (:data:`NOT_PERSONS`: the item contract says an organisation is no
  author, and Fundus lists agencies, newsrooms, domains and even a dateline's city);
- ``date``: the same instant (to the second) when the corpus has a time with an offset, the
  same wall-clock time when it has a time without one, the same day when it has a day only;
  ``date_day``: the same calendar day (in the corpus's offset when it has one);
- ``body_f1`` (with ``body_precision``, ``body_recall``): F1 of the body's word tokens as
  multisets, lower-cased ``\\w+`` runs with each Han/kana character a token of its own (the
  ScrapingHub benchmark's way, made fair to Japanese and Chinese); 0 when no item;
- ``snippets`` (trafilatura set): true/false positives and negatives of the snippets, matched
  as substrings after collapsing white space (trafilatura's own evaluation);
- ``language``: the item's language equals the corpus's (primary subtag; not scored for a
  reader whose item has no ``language`` at all).
"""

from __future__ import annotations

import gzip
import json
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "realworld"
SETS = ("fundus", "readability", "htmldate", "trafilatura")

#: Names Fundus lists as authors that are no person: agencies, newsrooms, publications, sites,
#: and two cities a parser took from a dateline. Compared normalised (see :func:`name_key`).
NOT_PERSONS = frozenset(
    {
        "afp", "afp deutschland", "ap", "associated press", "the associated press", "dpa",
        "deutsche presse-agentur", "reuters", "sda", "anadolu ajansı", "euronews", "der spiegel",
        "les echos", "habertürk", "kicker", "t-online", "landesspiegel", "br24 redaktion",
        "in-redaktion", "redaktion hessenschau.de", "gear team", "mnd staff",
        "guardian staff reporter", "dizindaba", "lille", "nairobi", "中日新聞web", "日刊現代",
        "朝日新聞デジタル", "東京新聞デジタル", "読売新聞オンライン",
    }
)  # fmt: skip
_ORGANISATION_WORDS = re.compile(r"\b(redaktion|newsroom|staff|desk|agency|agentur)\b")
_DOMAIN = re.compile(r"^[\w-]+(\.[\w-]+)+$")
_HONORIFIC = re.compile(r"^(dr|prof|mr|mrs|ms)\.?\s+")
_BY = re.compile(r"^(by|von|par|por|oleh)\s+")
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‚": "'", "“": '"', "”": '"', "„": '"', "«": '"',
                         "»": '"', "–": "-", "—": "-", "\u00a0": " "})  # fmt: skip
#: Han, kana and the CJK punctuation block: scripts written without spaces.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]|[^\W{_CJK}]+")
_SPACE = re.compile(r"\s+")
#: Characters that are no text: soft hyphens and zero-width marks ("Über\xadle\xadbens" is
#: shown "Überlebens"), dropped from both sides before scoring, as from every reader's text.
_NO_TEXT = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_BLOCK_TAGS = frozenset(
    ("address", "article", "aside", "blockquote", "br", "dd", "div", "dl", "dt", "figcaption",
     "figure", "footer", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main",
     "nav", "ol", "p", "pre", "section", "table", "td", "th", "tr", "ul")
)  # fmt: skip


@dataclass(frozen=True)
class Page:
    """One saved page and what a reader should give from it (``None``: not known)."""

    set: str
    id: str
    url: str
    path: Path
    article: bool = True
    title: str | None = None
    authors: tuple[str, ...] | None = None
    published: str | None = None
    body: str | None = None
    language: str | None = None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    extra: Mapping[str, Any] = field(default_factory=dict)

    def html(self) -> bytes:
        """The page as saved (the corpus keeps it gzipped)."""
        return gzip.decompress(self.path.read_bytes())


# -- loading ---------------------------------------------------------------------------------


def load(root: Path = FIXTURE, sets: Iterable[str] = SETS) -> list[Page]:
    """Every page of the sets asked for, in a stable order."""
    readers = {"fundus": _fundus, "readability": _readability, "htmldate": _htmldate,
               "trafilatura": _trafilatura}  # fmt: skip
    pages: list[Page] = []
    for name in sets:
        if name not in readers:
            raise ValueError(f"unknown set {name!r} (known: {', '.join(SETS)})")
        pages.extend(readers[name](root / name, root))
    return pages


def _fundus(folder: Path, root: Path) -> list[Page]:
    known = root / "fundus-languages.json"
    languages = json.loads(known.read_text("utf-8")) if known.exists() else {}
    pages = []
    for country in sorted(p for p in folder.iterdir() if p.is_dir()):
        meta = json.loads((country / "meta.info").read_text("utf-8"))
        by_publisher: dict[str, list[tuple[str, str]]] = {}
        for name, info in meta.items():
            publisher = name.rsplit("_", 3)[0]
            by_publisher.setdefault(publisher, []).append((info["crawl_date"], name))
        for publisher, crawled in sorted(by_publisher.items()):
            versions = json.loads((country / f"{publisher}.json").read_text("utf-8"))
            ordered = sorted(versions, key=_version_key)
            if len(ordered) != len(crawled):
                raise ValueError(f"{country}/{publisher}.json: {len(ordered)} versions")
            # the oldest page is the oldest version (fundus's own test convention)
            for (_, name), version in zip(sorted(crawled), ordered, strict=True):
                want = versions[version]
                page_id = f"fundus/{country.name}/{name.removesuffix('.html.gz')}"
                pages.append(
                    Page(
                        set="fundus",
                        id=page_id,
                        url=meta[name]["url"],
                        path=country / name,
                        title=want.get("title") or None,
                        authors=tuple(want.get("authors") or ()),
                        published=want.get("publishing_date"),
                        body=fundus_text(want.get("body") or {}),
                        language=languages.get(page_id),
                        extra={"version": version},
                    )
                )
    return pages


def _version_key(version: str) -> tuple[int, ...]:
    return tuple(int(part) for part in version.lstrip("V").split("_"))


def fundus_text(body: Mapping[str, Any]) -> str:
    """A Fundus body as text: the summary, then each section's headline and paragraphs."""
    blocks = list(body.get("summary") or [])
    for section in body.get("sections") or []:
        blocks.extend(section.get("headline") or [])
        blocks.extend(section.get("paragraphs") or [])
    return "\n\n".join(blocks)


def _readability(folder: Path, root: Path) -> list[Page]:
    pages = []
    for case in sorted(p for p in folder.iterdir() if p.is_dir()):
        meta = json.loads((case / "expected-metadata.json").read_text("utf-8"))
        lang = meta.get("lang")
        pages.append(
            Page(
                set="readability",
                id=f"readability/{case.name}",
                url=f"http://fakehost-{case.name}/test/page.html",
                path=case / "source.html.gz",
                article=bool(meta.get("readerable", True)),
                title=meta.get("title") or None,
                published=meta.get("publishedTime") or None,
                # Readability's expected pages are UTF-8 and say no charset: from bytes,
                # lxml would read them as Latin-1 (every CJK page scored near 0)
                body=html_text(gzip.decompress((case / "expected.html.gz").read_bytes()).decode()),
                language=lang.split("-")[0].lower() if lang else None,
                extra={"byline": meta.get("byline")},
            )
        )
    return pages


def _htmldate(folder: Path, root: Path) -> list[Page]:
    dates = json.loads((folder / "dates.json").read_text("utf-8"))
    return [
        Page(
            set="htmldate",
            id=f"htmldate/{entry['file'].removesuffix('.html.gz').removesuffix('.gz')}",
            url=url,
            path=folder / "pages" / entry["file"],
            published=entry["date"] if isinstance(entry["date"], str) else None,
        )
        for url, entry in dates.items()
    ]


def _trafilatura(folder: Path, root: Path) -> list[Page]:
    evaldata = json.loads((folder / "evaldata.json").read_text("utf-8"))
    return [
        Page(
            set="trafilatura",
            id=f"trafilatura/{entry['file'].removesuffix('.html.gz')}",
            # a few pages are known by a name alone ("hard::dw.com.colonial.html")
            url=url if url.startswith("http") else f"http://fakehost-{entry['file'][:3]}/page.html",
            path=folder / "pages" / entry["file"],
            with_snippets=tuple(entry["with"]),
            without_snippets=tuple(entry["without"]),
            extra={"source": entry["source"]},
        )
        for url, entry in evaldata.items()
    ]


def html_text(html: bytes | str) -> str:
    """The text of an HTML fragment or page, a line break around each block element."""
    import lxml.html

    root = lxml.html.fromstring(html)
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        if element.tag in ("script", "style", "noscript"):
            element.text = ""
        elif element.tag in _BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
    lines = (_SPACE.sub(" ", line).strip() for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


# -- scoring ---------------------------------------------------------------------------------


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; each Han or kana character is a token."""
    return _TOKEN.findall(plain(text).lower())


def plain(text: str) -> str:
    """``text`` as scored: NFKC (one spelling of each character: a composed "য়" and its
    parts alike), without soft hyphens and zero-width marks (:data:`_NO_TEXT`)."""
    return unicodedata.normalize("NFKC", text).translate(_NO_TEXT)


def token_scores(got: str, want: str) -> tuple[float, float, float]:
    """Precision, recall and F1 of ``got``'s tokens against ``want``'s, as multisets."""
    a, b = Counter(tokens(got)), Counter(tokens(want))
    common = sum((a & b).values())
    if not common:
        return 0.0, 0.0, 0.0
    precision, recall = common / sum(a.values()), common / sum(b.values())
    return precision, recall, 2 * precision * recall / (precision + recall)


def title_key(title: str) -> str:
    text = unicodedata.normalize("NFKC", title).translate(_QUOTES).casefold()
    return _SPACE.sub(" ", text).strip()


def name_key(name: str) -> str:
    text = unicodedata.normalize("NFKC", name).translate(_QUOTES).casefold()
    text = _SPACE.sub(" ", text).strip(" ,;:.|/-")
    text = _BY.sub("", text)
    return _HONORIFIC.sub("", text)


def is_person(name: str) -> bool:
    key = name_key(name)
    return bool(key) and not (
        key in NOT_PERSONS or _DOMAIN.match(key) or _ORGANISATION_WORDS.search(key)
    )


def people(names: Iterable[str]) -> set[str]:
    return {name_key(name) for name in names if is_person(name)}


def language_key(tag: str) -> str:
    """A language tag's primary subtag, lower-cased; Norwegian Bokmål and Nynorsk as ``no``."""
    primary = tag.strip().replace("_", "-").split("-")[0].lower()
    return "no" if primary in ("nb", "nn") else primary


def parse_when(value: str) -> datetime | date | None:
    """A datetime (aware or naive), or a date for a day alone; ``None`` if unreadable."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text)
    except ValueError:
        return None


def date_scores(got: str | None, want: str) -> tuple[bool | None, bool | None]:
    """(right, same day) of ``got`` against the corpus's ``want`` (see the module doc);
    ``right`` is ``None`` when ``got`` is a day alone and ``want`` has a time."""
    expected = parse_when(want)
    if expected is None:
        return None, None
    value = parse_when(got) if got else None
    if value is None:
        return False, False
    if not isinstance(expected, datetime):  # a day alone
        return _day(value, None) == expected, _day(value, None) == expected
    if not isinstance(value, datetime):
        return None, value == expected.date()
    if expected.tzinfo is not None:
        same_day = _day(value, expected) == expected.date()
        if value.tzinfo is None:
            return False, same_day
        return _seconds(value) == _seconds(expected), same_day
    return _seconds(value.replace(tzinfo=None)) == _seconds(expected), value.date() == (
        expected.date()
    )


def _day(value: datetime | date, reference: datetime | None) -> date:
    if not isinstance(value, datetime):
        return value
    if reference is not None and value.tzinfo is not None and reference.tzinfo is not None:
        return value.astimezone(reference.tzinfo).date()
    return value.date()


def _seconds(value: datetime) -> datetime:
    return value.replace(microsecond=0)


def _norm_snippet(text: str) -> str:
    return _SPACE.sub(" ", plain(text)).strip()


def score(page: Page, got: Mapping[str, Any] | None) -> dict[str, Any]:
    """The scores of one page given the item a reader gave (``None``: no item)."""
    result: dict[str, Any] = {"id": page.id, "set": page.set, "url": page.url}
    if not page.article:
        result["no_item"] = got is None
        return result
    result["item"] = got is not None
    item = got or {}
    if page.title is not None:
        title = item.get("title") or ""
        exact = bool(title) and title_key(title) == title_key(page.title)
        result["title"] = exact
        result["title_soft"] = exact or (bool(title) and token_scores(title, page.title)[2] >= 0.8)
    if page.authors is not None:
        result["authors"] = got is not None and people(item.get("authors") or []) == people(
            page.authors
        )
    if page.published is not None:
        right, day = date_scores(item.get("published_at"), page.published)
        result["date"], result["date_day"] = right, day
    if page.body is not None:
        p, r, f1 = token_scores(item.get("body") or "", page.body)
        result["body_precision"], result["body_recall"], result["body_f1"] = p, r, f1
    if page.with_snippets:
        text = _norm_snippet(item.get("body") or "") if got is not None else None
        tp = sum(1 for s in page.with_snippets if text and _norm_snippet(s) in text)
        fp = sum(1 for s in page.without_snippets if text and _norm_snippet(s) in text)
        result["snippets"] = [tp, fp, len(page.with_snippets) - tp,
                              len(page.without_snippets) - fp]  # fmt: skip
    if page.language is not None and (got is None or "language" in got):
        result["language"] = language_key(item.get("language") or "") == language_key(page.language)
    return result


def summary(scores: Sequence[Mapping[str, Any]]) -> dict[str, float | int | None]:
    """Rates over a set's pages: each field over the pages that know it, a missing item
    counting as wrong (``body_f1``: 0); ``body_f1_items`` over the pages with an item."""
    articles = [s for s in scores if "item" in s]
    out: dict[str, float | int | None] = {
        "pages": len(articles),
        "items": _rate([s["item"] for s in articles]),
    }
    for name in ("title", "title_soft", "authors", "date", "date_day", "language"):
        out[name] = _rate([s[name] for s in articles if s.get(name) is not None])
    f1s = [s["body_f1"] for s in articles if "body_f1" in s]
    out["body_f1"] = sum(f1s) / len(f1s) if f1s else None
    with_item = [s["body_f1"] for s in articles if "body_f1" in s and s["item"]]
    out["body_f1_items"] = sum(with_item) / len(with_item) if with_item else None
    counts = [s["snippets"] for s in articles if "snippets" in s]
    if counts:
        tp, fp, fn, _ = (sum(c[i] for c in counts) for i in range(4))
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        total = precision + recall
        out["snippet_f1"] = 2 * precision * recall / total if total else 0.0
    else:
        out["snippet_f1"] = None
    refused = [s["no_item"] for s in scores if "no_item" in s]
    out["non_articles"] = len(refused)
    out["no_item"] = _rate(refused)
    return out


def _rate(values: Sequence[bool]) -> float | None:
    return sum(values) / len(values) if values else None


# -- reading in process -----------------------------------------------------------------------


def read_in_process(page: Page) -> dict[str, Any] | None:
    """The item the news spider's reader gives for the page in this process (what
    ``newscrawl.pages.reading.read_generic`` makes of it, then the shared promo rules), or
    ``None`` when it gives none (not an article, or cut short). No pipeline runs: an item
    without a date is kept here, where a crawl drops it."""
    from dataclasses import asdict

    from scrapy.http import HtmlResponse

    from newscrawl.boilerplate import SHARED_RULES, filter_paragraphs
    from newscrawl.pages.reading import read_generic

    headers = {"Content-Type": "text/html; charset=utf-8" if _utf8(page) else "text/html"}
    response = HtmlResponse(page.url, body=page.html(), headers=headers)
    reading = read_generic(page.url, response.body, response.encoding, frozenset())
    if reading.item is None:
        return None
    item = asdict(reading.item)
    if item.get("body"):
        item["body"] = "\n\n".join(filter_paragraphs(item["body"].split("\n\n"), SHARED_RULES).kept)
    return item


# -- serving -----------------------------------------------------------------------------------


def write_replay_folder(pages: Iterable[Page], folder: Path) -> None:
    """A :class:`tests.replay.ReplayProxy` fixture folder answering each page at its URL (and
    at that URL percent-encoded, and without ``utm_*`` parameters), as a server would: gzipped
    (``Content-Encoding: gzip``, the saved bytes as they are), with ``charset=utf-8`` when the
    page is UTF-8 (else the page's own ``<meta charset>`` rules)."""
    from w3lib.url import safe_url_string

    from tests.replay import url_key

    site = folder / "site"
    site.mkdir(parents=True, exist_ok=True)
    pages = list(pages)
    entries = []
    taken = {url_key(page.url) for page in pages}
    for number, page in enumerate(pages):
        name = f"{number:04d}.html.gz"
        link = site / name
        if link.exists() or link.is_symlink():
            link.unlink()
        os.symlink(page.path.resolve(), link)
        entry = {
            "file": name,
            "status": 200,
            "content_type": "text/html; charset=utf-8" if _utf8(page) else "text/html",
            "headers": {"Content-Encoding": "gzip"},
        }
        entries.append({"url": page.url, **entry})
        for alias in (safe_url_string(page.url), without_utm(page.url)):
            if url_key(alias) not in taken:
                taken.add(url_key(alias))
                entries.append({"url": alias, **entry})
    (folder / "manifest.json").write_text(json.dumps(entries, indent=1), "utf-8")


def without_utm(url: str) -> str:
    """``url`` without its ``utm_*`` parameters: the same page on any server (a crawler may
    well drop them before asking)."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and not p.lower().startswith("utm_")]
    return urlunsplit(parts._replace(query="&".join(kept), fragment=""))


@cache
def _utf8_at(path: Path) -> bool:
    try:
        gzip.decompress(path.read_bytes()).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _utf8(page: Page) -> bool:
    return _utf8_at(page.path)


def url_keys(url: str) -> list[str]:
    """Keys an item's URL is matched to a page's by, most exact first: the URL, then without
    its query and fragment, each without the scheme and a trailing slash."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    path = parts.path.rstrip("/") or "/"
    keys = [f"{host}{path}?{parts.query}" if parts.query else f"{host}{path}", f"{host}{path}"]
    return list(dict.fromkeys(keys))


def match_items(
    pages: Sequence[Page], items: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Mapping[str, Any]], list[Mapping[str, Any]]]:
    """Items by page id, and the items that match no page. An item is a page's when its URL
    is the page's (:func:`url_keys`, the most exact key first); else when the page is on the
    item's site (registered domain) and its URL holds the item's ``article_id``, or it is the
    only page left on that site (the item's URL is the page's canonical alias of it)."""
    index: dict[str, str | None] = {}
    for level in (0, 1):
        for page in pages:
            keys = url_keys(page.url)
            key = keys[min(level, len(keys) - 1)]
            if key in index and index[key] != page.id:
                index[key] = None  # two pages share this key: not usable
            else:
                index.setdefault(key, page.id)
    matched: dict[str, Mapping[str, Any]] = {}
    unmatched = []
    for item in items:
        page_id = None
        for key in url_keys(str(item.get("url") or "")):
            page_id = index.get(key)
            if page_id is not None and page_id not in matched:
                break
            page_id = None
        if page_id is None:
            unmatched.append(item)
        else:
            matched[page_id] = item
    left = [page for page in pages if page.id not in matched]
    still = []
    for item in unmatched:
        host = _host(str(item.get("url") or ""))
        same_host = [page for page in left if _host(page.url) == host]
        number = str(item.get("article_id") or "")
        by_id = [page for page in same_host if number and re.search(
            rf"(?<![0-9A-Za-z]){re.escape(number)}(?![0-9A-Za-z])", page.url)]  # fmt: skip
        candidates = by_id if len(by_id) == 1 else same_host if len(same_host) == 1 else []
        if candidates:
            matched[candidates[0].id] = item
            left.remove(candidates[0])
        else:
            still.append(item)
    return matched, still


def _host(url: str) -> str:
    from newscrawl.pages.generic import registered_domain

    return registered_domain(url)
