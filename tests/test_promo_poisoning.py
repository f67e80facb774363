"""Promo lines learned on a site cannot be poisoned (issue 21, item 5): a page that repeats the
sentences of real articles, or a sentence that recurs in several articles as their text, costs
no article a line; an article that learned lines would empty keeps its body. Crawls of a site
generated from the anysite templates, through the replay proxy; then the learner's rules one
by one."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest

from newscrawl import boilerplate
from newscrawl.boilerplate import (
    Learning,
    LeftOut,
    PageLines,
    RecurringLines,
    leave_out,
    page_lines,
    promo_shape,
    same_page,
)
from newscrawl.state import SQLiteState
from tests.replay import ReplayProxy
from tests.sitegen import SiteBuilder
from tests.support import FIXTURES, CrawlResult, run_crawl, stat

ANYSITE = FIXTURES / "anysite"
#: The anysite article the generated pages are made from (its markup, another URL, title
#: and body).
TEMPLATE_URL = (
    "https://ekonomi.arusdaerah.id/n6468796/nusantara-sejahtera-bakal-memperluas-jaringan-"
    "distribusi-pada-2026"
)
TEMPLATE_TITLE = "Nusantara Sejahtera Bakal Memperluas jaringan distribusi pada 2026"
BODY_OPEN = '<div class="news-text">\n'
BODY_CLOSE = "\n</div>\n</div>\n</div>\n</section>"
SECTIONS = ("ekonomi", "finansial", "internasional")
NAMES = ("Budi Santoso", "Rina Wulandari", "Hendra Gunawan", "Sri Mulyani", "Ahmad Fauzi",
         "Dewi Lestari", "Yusuf Hamdani", "Maya Anggraini")  # fmt: skip
GOODS = ("beras", "semen", "pupuk", "kopi", "kakao", "karet", "gula", "garam", "jagung")
CITIES = ("Medan", "Makassar", "Surabaya", "Pontianak", "Kupang", "Ambon", "Padang", "Jambi")


def sentences(n: int, count: int = 6) -> list[str]:
    """``count`` one-sentence paragraphs of article ``n``, none like any other's."""
    out = []
    for k in range(count):
        name = NAMES[(n + k) % len(NAMES)]
        good = GOODS[(n * 3 + k) % len(GOODS)]
        city = CITIES[(n + 2 * k) % len(CITIES)]
        out.append(
            f"{name} mencatat pasokan {good} di {city} naik {n * 7 + k + 11},{k}{n} persen "
            f"pada pekan ke-{k + 1} setelah distribusi dari gudang nomor {n * 100 + k} lancar."
        )
    return out


def article_page(template: str, url: str, title: str, body: str, footer: Sequence[str] = ()) -> str:
    """The template article with another URL, title and body (and more footer lines)."""
    page = template.replace(TEMPLATE_URL, url).replace(TEMPLATE_TITLE, title)
    start = page.index(BODY_OPEN) + len(BODY_OPEN)
    page = page[:start] + body + page[page.index(BODY_CLOSE) :]
    extra = "".join(f"<p>{line}</p>" for line in footer)
    return page.replace("</footer>", extra + "</footer>")


def paragraphs(lines: Iterable[str], bold: bool = False) -> str:
    if bold:
        return "\n".join(f"<p><strong>{line}</strong></p>" for line in lines)
    return "\n".join(f"<p>{line}</p>" for line in lines)


class Site:
    """A copy of the anysite fixtures with generated articles of arusdaerah.id."""

    def __init__(self, dst: Path) -> None:
        self.builder = SiteBuilder(ANYSITE, dst)
        self.template = self.builder.body(TEMPLATE_URL)
        self.bodies: dict[str, list[str]] = {}
        self.count = 0

    def url(self, slug: str) -> str:
        self.count += 1
        section = SECTIONS[self.count % len(SECTIONS)]
        return f"https://{section}.arusdaerah.id/n{7_100_000 + self.count}/{slug}-{self.count}"

    def article(
        self, lines: Sequence[str], *, html: str | None = None, footer: Sequence[str] = ()
    ) -> str:
        """A new article whose body is ``lines`` (its page shows ``html`` instead if given)."""
        url = self.url("kabar-pasokan-bahan-pokok-daerah")
        title = f"Kabar Pasokan Bahan Pokok Daerah Nomor {self.count}"
        page = article_page(self.template, url, title, html or paragraphs(lines), footer)
        self.builder.put(url, page)
        self.bodies[url] = list(lines)
        return url

    def listing(self, urls: Sequence[str]) -> str:
        """A section page listing ``urls`` (a listing an attacker controls)."""
        url = "https://www.arusdaerah.id/kanal/pilihan-pembaca"
        links = "".join(f'<li><a href="{u}">Pilihan {n}</a></li>' for n, u in enumerate(urls))
        self.builder.put(url, f"<html><body><main><ul>{links}</ul></main></body></html>")
        return url

    def save(self) -> Path:
        return self.builder.save()


def crawl(proxy: ReplayProxy, output: Path, starts: Sequence[str]) -> CrawlResult:
    result = run_crawl(
        "news",
        {"browser": "never", "start_urls": ",".join(starts)},
        output_dir=output,
        proxy_env=proxy.env(),
        settings={"CONCURRENT_REQUESTS": "1"},
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


def bodies(result: CrawlResult) -> dict[str, str]:
    return {item["url"]: item["body"] for item in result.items}


def learned_lines(output: Path) -> frozenset[str]:
    [folder] = list((output / "news").iterdir())
    state = SQLiteState(folder / "state.sqlite3")
    try:
        return state.learned_lines("arusdaerah.id")
    finally:
        state.close()


def manifest_of(output: Path) -> dict[str, Any]:
    [folder] = list((output / "news").iterdir())
    path = sorted((folder / "runs").glob("*.json"))[-1]
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


# --- (a) one page repeating every sentence of three real articles ----------------------------


@pytest.mark.parametrize("form", ["bold, listed three times", "in its footer too"])
def test_a_page_repeating_real_articles_takes_nothing_from_them(tmp_path: Path, form: str) -> None:
    """The attacker's page repeats the 18 sentences of three real articles: set in bold and
    listed three times under other URLs (a promo line's shape, recurring), or shown in its
    footer as well (site furniture). The victims keep every sentence, in the run that reads
    the attacker's page and in a later run on its state, which remembers none of them."""
    site = Site(tmp_path / "site")
    victims = [site.article(sentences(n)) for n in (1, 2, 3)]
    others = [site.article(sentences(n, 4)) for n in (4, 5)]
    copied = [line for url in victims for line in site.bodies[url]]
    opening = [
        "Redaksi merangkum kabar pasokan bahan pokok di berbagai daerah sepanjang pekan ini, "
        "dari pelabuhan hingga pasar tradisional, untuk pembaca yang tertinggal beritanya."
    ]
    if form.startswith("bold"):
        html = paragraphs(opening) + "\n" + paragraphs(copied, bold=True)
        page = site.article(opening, html=html)
        body = site.builder.body(page)
        copies = [page] + [site.url("rangkuman-berita-pilihan-pekan-ini") for _ in range(2)]
        for url in copies[1:]:
            site.builder.put(url, body.replace(page, url))
        attacker = [site.listing(copies)]
    else:
        html = paragraphs(opening + copied)
        attacker = [site.article(opening, html=html, footer=copied)]
    with ReplayProxy(site.save(), lifetime=300) as proxy:
        same = crawl(proxy, tmp_path / "same", attacker + victims + others)
        taught = crawl(proxy, tmp_path / "later", attacker + others)
        later = crawl(proxy, tmp_path / "later", victims)
    want = {url: "\n\n".join(site.bodies[url]) for url in victims}
    assert {url: bodies(same).get(url) for url in victims} == want, same.log[-3000:]
    assert bodies(later) == want, later.log[-3000:]
    for output in (tmp_path / "same", tmp_path / "later"):
        assert not {line.casefold() for line in copied} & learned_lines(output)
    assert stat(taught.log, "newscrawl/boilerplate/learned_by_recurrence") == 0
    for run in (same, taught):
        assert stat(run.log, "newscrawl/boilerplate/refused_page") >= 1


def test_a_state_poisoned_before_costs_the_victims_nothing(tmp_path: Path) -> None:
    """A state an earlier version let a page poison (every sentence of three articles
    remembered as promo): the victims are exported whole, each flagged and counted."""
    site = Site(tmp_path / "site")
    victims = [site.article(sentences(n)) for n in (1, 2, 3)]
    folder = tmp_path / "out" / "news" / "arusdaerah.id"
    folder.mkdir(parents=True)
    state = SQLiteState(folder / "state.sqlite3")
    poison = [line for url in victims for line in site.bodies[url]]
    state.remember_learned("arusdaerah.id", dict.fromkeys(poison, 3))
    state.close()
    with ReplayProxy(site.save(), lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", victims)
    assert bodies(result) == {url: "\n\n".join(site.bodies[url]) for url in victims}
    assert stat(result.log, "newscrawl/boilerplate/kept_would_empty") == 3
    assert stat(result.log, "newscrawl/boilerplate/refused_share") == 18
    assert stat(result.log, "newscrawl/boilerplate/removed_lines") == 0


# --- (b) a sentence of the articles' text recurring in several of them -----------------------


def test_a_press_release_line_recurring_as_body_text_stays(tmp_path: Path) -> None:
    """A sentence reporters reuse ("Dalam siaran pers ..."): it names a channel word
    ("siaran") and recurs in five articles, but it is a sentence of their text, not a
    promo's invitation: no article loses it, and nothing is learned or remembered."""
    line = (
        "Jakarta - Dalam siaran pers yang diterima redaksi pada Kamis, perusahaan itu "
        "menyatakan siap memperluas jaringan distribusi ke kawasan timur Indonesia."
    )
    site = Site(tmp_path / "site")
    urls = []
    for n in range(5):
        lines = sentences(20 + n, 5)
        urls.append(site.article([lines[0], line, *lines[1:]]))
    with ReplayProxy(site.save(), lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", urls)
    assert bodies(result) == {url: "\n\n".join(site.bodies[url]) for url in urls}
    assert stat(result.log, "newscrawl/boilerplate/learned_by_recurrence") == 0
    assert stat(result.log, "newscrawl/boilerplate/refused_shape") == 1
    assert line.casefold() not in learned_lines(tmp_path / "out")


# --- (c) an article learned lines would empty ------------------------------------------------


def test_an_article_learned_lines_would_empty_keeps_its_body(tmp_path: Path) -> None:
    """Two bold promo lines recur in four articles and are learned (left out of them); a fifth
    article has nothing else in its body: it is exported whole, the lines flagged in the log
    and counted, never dropped."""
    promo = ["Dapatkan kabar pilihan redaksi setiap pagi.", "Ikuti kuis mingguan redaksi."]
    site = Site(tmp_path / "site")
    urls = []
    for n in range(4):
        lines = sentences(30 + n, 5)
        html = paragraphs(lines[:2]) + "\n" + paragraphs(promo, bold=True)
        urls.append(site.article(lines, html=html + "\n" + paragraphs(lines[2:])))
    only_promo = site.article(promo, html=paragraphs(promo, bold=True))
    with ReplayProxy(site.save(), lifetime=300) as proxy:
        result = crawl(proxy, tmp_path / "out", [*urls, only_promo])
    want = {url: "\n\n".join(site.bodies[url]) for url in [*urls, only_promo]}
    assert bodies(result) == want
    assert stat(result.log, "newscrawl/boilerplate/learned_by_recurrence") == 2
    assert stat(result.log, "newscrawl/boilerplate/removed_lines") == 8
    assert stat(result.log, "newscrawl/boilerplate/kept_would_empty") == 1
    assert stat(result.log, "newscrawl/boilerplate/refused_share") == 2
    assert stat(result.log, "newscrawl/skipped/no_body") == 0
    flagged = [line for line in result.log.splitlines() if "Kept 2 learned line(s)" in line]
    assert len(flagged) == 1 and only_promo in flagged[0]
    manifest = manifest_of(tmp_path / "out")
    assert manifest["learned_boilerplate"]["arusdaerah.id"] == {line: 4 for line in promo}
    assert manifest["boilerplate_drops"]["kept_would_empty"] == 1
    assert {line.casefold() for line in promo} <= learned_lines(tmp_path / "out")


# --- the learner's rules, one by one ----------------------------------------------------------

PROMO = "Dapatkan kabar pilihan redaksi setiap pagi."


def page(
    n: int,
    candidates: Sequence[str] = (),
    *,
    context: str = "",
    text: Sequence[str] | None = None,
    left_out: Sequence[str] = (),
) -> PageLines:
    """Article ``n`` (six sentences of its own, or ``text``) with promo-shaped ``candidates``
    after its first line, listed in ``context`` (its own by default)."""
    lines = sentences(n) if text is None else list(text)
    body = "\n\n".join([*lines[:1], *candidates, *lines[1:]])
    folded = [line.casefold() for line in candidates]
    return page_lines(body, folded, left_out, context or f"listing-{n}")


def observe_all(lines: RecurringLines, pages: Iterable[PageLines]) -> list[Learning]:
    return [lines.observe(one) for one in pages]


def test_a_promo_line_on_three_pages_listed_in_two_places_is_learned() -> None:
    lines = RecurringLines()
    seen = observe_all(lines, [page(n, [PROMO], context=f"c{n % 2}") for n in range(3)])
    assert [one.learned for one in seen] == [[], [], [PROMO.casefold()]]
    assert PROMO.casefold() in lines and "other" not in lines
    assert lines  # it knows a line


def test_pages_listed_in_one_place_teach_nothing_until_another_lists_one() -> None:
    lines = RecurringLines()
    observe_all(lines, [page(n, [PROMO], context="one listing") for n in range(5)])
    assert PROMO.casefold() not in lines
    assert lines.observe(page(9, [PROMO], context="another")).learned == [PROMO.casefold()]


def test_one_page_under_many_urls_is_one_witness() -> None:
    """The same text listed under five URLs in five places, and again with a line changed:
    one page."""
    lines = RecurringLines()
    observe_all(lines, [page(1, [PROMO], context=f"c{k}") for k in range(5)])
    changed = [*sentences(1)[:-1], "Kalimat terakhir yang diganti penyerang."]
    lines.observe(page(1, [PROMO], context="c9", text=changed))
    assert PROMO.casefold() not in lines
    assert lines.pending[PROMO.casefold()].pages == 1


def test_a_channel_word_in_a_sentence_is_no_promo_shape() -> None:
    line = "Jakarta - Dalam siaran pers yang diterima redaksi, perusahaan itu siap ekspansi."
    lines = RecurringLines()
    seen = observe_all(lines, [page(n, [line]) for n in range(5)])
    assert line.casefold() not in lines
    assert [one.refused["shape"] for one in seen] == [1, 0, 0, 0, 0]  # counted once a line


@pytest.mark.parametrize(
    ("line", "shaped"),
    [
        ("Simak berita lainnya di Google News", True),
        ("Dapatkan kabar pilihan redaksi setiap pagi.", True),
        ("Kabar terbaru setiap pagi hanya di sini.", True),  # no channel: set in bold
        ("Jakarta - Dalam siaran pers yang diterima redaksi.", False),
        ("Ia mengunggah videonya lewat akun Instagram pribadinya.", False),
    ],
)
def test_promo_shape(line: str, shaped: bool) -> None:
    assert promo_shape(line.casefold()) is shaped


def test_a_line_a_page_has_as_text_is_never_learned() -> None:
    """A victim's sentence, then three pages (in bold) copying it: never learned."""
    victim = sentences(1)
    lines = RecurringLines()
    lines.observe(page(1, text=victim))
    seen = observe_all(lines, [page(n, [victim[2]], context=f"c{n}") for n in (5, 6, 7)])
    assert victim[2].casefold() not in lines
    assert [one.refused["copied"] for one in seen] == [1, 0, 0]


def test_a_line_learned_then_found_as_a_pages_text_is_unlearned() -> None:
    copied = sentences(1)[2]
    lines = RecurringLines()
    observe_all(lines, [page(n, [copied], context=f"c{n}") for n in (5, 6, 7)])
    assert copied.casefold() in lines
    seen = lines.observe(page(1))  # the article it was copied from
    assert seen.unlearned == [copied.casefold()] and seen.refused["copied"] == 1
    assert copied.casefold() not in lines
    lines.observe(page(8, [copied], context="c8"))  # and never learned again in this run
    assert copied.casefold() not in lines


def test_a_page_mostly_promo_shaped_witnesses_nothing() -> None:
    """Eighteen bold sentences and one of its own: the page counts for none of them."""
    copied = [line for n in (1, 2, 3) for line in sentences(n)]
    lines = RecurringLines()
    seen = observe_all(
        lines, [page(9, copied, context=f"c{k}", text=sentences(9 + k, 1)) for k in range(3)]
    )
    assert not lines and lines.pending == {}
    assert [one.refused["page"] for one in seen] == [1, 1, 1]


def test_a_line_that_is_a_large_share_of_a_body_is_not_learned() -> None:
    line = "Dapatkan kabar pilihan redaksi kami setiap pagi lewat pesan singkat."  # 10 words
    short = ["Harga beras naik tipis di pasar induk pagi ini menurut pedagang setempat."] * 2
    lines = RecurringLines()
    seen = lines.observe(page(1, [line], text=short))  # 10 of 34 words: over a quarter
    assert seen.refused["share"] == 1 and "page" not in seen.refused
    observe_all(lines, [page(n, [line], context=f"c{n}") for n in (2, 3, 4)])
    assert line.casefold() not in lines


def test_lines_remembered_by_earlier_runs_stay_whatever_a_page_shows() -> None:
    remembered = "Redaksi menerima koreksi pembaca setiap hari kerja."
    lines = RecurringLines([remembered])
    seen = lines.observe(page(1, text=[*sentences(1), remembered]))
    assert remembered.casefold() in lines and seen.unlearned == []


def test_a_page_teaches_the_few_short_lines_it_left_out_itself() -> None:
    footer = "Redaksi menerima koreksi pembaca setiap hari kerja."
    lines = RecurringLines()
    first = lines.observe(page(1, left_out=[footer]))
    again = lines.observe(page(2, left_out=[footer]))
    assert first.taught == [footer] and first.new_taught == [footer]
    assert again.taught == [footer] and again.new_taught == []
    assert footer.casefold() not in lines  # taught to later runs, not left out in this one


@pytest.mark.parametrize(
    ("left_out", "why"),
    [
        ([line for n in (1, 2, 3) for line in sentences(n)], "page"),  # all it had
        ([f"Kalimat kaki halaman nomor {k}." for k in range(5)], "page"),  # too many
        (["Kata " * 26], "share"),  # over a quarter of a short body
    ],
)
def test_a_page_leaving_out_too_much_teaches_nothing(left_out: list[str], why: str) -> None:
    lines = RecurringLines()
    seen = lines.observe(page(9, text=sentences(9, 3), left_out=left_out))
    assert seen.taught == [] and lines.taught == set()
    assert seen.refused[why] == 1


def test_a_line_a_page_left_out_but_another_has_as_text_is_not_taught() -> None:
    victim = sentences(1)
    lines = RecurringLines()
    lines.observe(page(1, text=victim))
    assert lines.observe(page(9, left_out=[victim[0]])).taught == []
    later = RecurringLines()
    assert later.observe(page(9, left_out=[victim[0]])).taught == [victim[0]]
    assert later.observe(page(1, text=victim)).unlearned == [victim[0].casefold()]
    assert later.taught == set()


def test_the_learners_memory_is_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(boilerplate, "MAX_PENDING_LINES", 3)
    monkeypatch.setattr(boilerplate, "MAX_TEXT_LINES", 10)
    lines = RecurringLines()
    for n in range(6):
        lines.observe(page(n, [f"Ikuti kuis redaksi nomor {n}."]))
    assert len(lines.pending) == 3 and len(lines.text) == 10
    assert list(lines.pending) == [f"ikuti kuis redaksi nomor {n}." for n in (3, 4, 5)]


def test_same_page() -> None:
    assert same_page((1, 2, 3, 4), (2, 3, 4, 9))
    assert not same_page((1, 2, 3, 4), (4, 5, 6, 7))
    assert same_page((1,), (1, 5, 6, 7)) and not same_page((), ())


# --- leaving learned lines out of a body -------------------------------------------------------


def test_leave_out_takes_learned_lines_out_of_a_body() -> None:
    body = "\n\n".join([*sentences(1)[:3], PROMO, *sentences(1)[3:]])
    left = leave_out(body, {PROMO.casefold()})
    assert left == LeftOut("\n\n".join(sentences(1)), [PROMO], [])
    assert leave_out(body, set()) == LeftOut(body, [], [])


def test_leave_out_keeps_a_line_that_is_a_large_share_of_the_body() -> None:
    own = "Harga beras naik tipis pagi ini."
    long_line = "Dapatkan kabar pilihan redaksi setiap pagi lewat pesan singkat ke ponsel."
    body = "\n\n".join([own, long_line, *sentences(1)[:1]])
    left = leave_out(body, {long_line.casefold()})
    assert left == LeftOut(body, [], [long_line])


def test_leave_out_never_takes_more_than_a_third_of_a_body() -> None:
    victim = sentences(1)
    body = "\n\n".join(victim)
    left = leave_out(body, {line.casefold() for line in victim[:3]})
    assert left == LeftOut(body, [], victim[:3])
    one = leave_out(body, {victim[0].casefold()})
    assert one.removed == [victim[0]] and one.body == "\n\n".join(victim[1:])


def test_leave_out_never_empties_a_body() -> None:
    body = f"{PROMO}\n\nIkuti kuis mingguan redaksi."
    lines = {PROMO.casefold(), "ikuti kuis mingguan redaksi."}
    assert leave_out(body, lines) == LeftOut(
        body, [], [PROMO, "Ikuti kuis mingguan redaksi."], would_empty=True
    )
