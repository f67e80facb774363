"""Unit tests of every processor branch."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from itemloaders.processors import MapCompose

from newscrawl import processors as p
from newscrawl.items import ArticleItem
from newscrawl.loaders import (
    ArticleLoader,
    GenericLoader,
    body_paragraphs,
    clean_paragraphs,
    dateline_of,
    datelines,
    parse_date,
)
from newscrawl.pages.generic import RealWebLoader
from newscrawl.sites import bisnis, kompas


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("  a \n\t b  ", "a b"),
        ("a\u00a0b", "a b"),
        ("a\u200bb", "ab"),
        ("Rp1&nbsp;triliun &amp; lainnya", "Rp1 triliun & lainnya"),
        ("no entity & here", "no entity & here"),
        ("", ""),
        # control characters and escape sequences go first, whole
        ("\x1b[31mMerah\x1b[0m dan\x01 biru", "Merah dan biru"),
        ("a\x1b[1;31;40mb", "ab"),
        ("Rp1&#8203;triliun\x00", "Rp1triliun"),
        ("a&#1;b &#x7f;c", "ab c"),
        ("baris\r\nbaru\x85lagi\x0bdan\x0cini", "baris baru lagi dan ini"),
    ],
)
def test_clean_text(raw: str, clean: str) -> None:
    assert p.clean_text(raw) == clean


@pytest.mark.parametrize(
    ("raw", "visible"),
    [
        ("tanpa apa-apa", "tanpa apa-apa"),
        ("\x1b[31mJAKARTA\x1b[0m", "JAKARTA"),  # CSI (SGR) sequences whole
        ("a\x1b[2Jb", "ab"),  # CSI with another final byte
        ("a\x1b[31", "a"),  # a CSI cut short at the end
        ("a\x9b1;2mb", "ab"),  # the one-byte CSI
        ("a\x1b]0;judul\x07b", "ab"),  # OSC ended by BEL
        ("a\x1b]8;;https://x\x1b\\b", "ab"),  # OSC ended by ST
        ("a\x1b]0;tanpa akhir", "a0;tanpa akhir"),  # an OSC never ended: its ESC ] only
        ("a\x1bMb", "ab"),  # a two-byte escape
        ("a\x1b", "a"),  # a lone ESC
        ("a\x01\x08\x0e\x1f\x7f\x80\x9fb", "ab"),  # C0, DEL, C1
        ("a\u200b\u00ad\ufeffb", "ab"),  # zero-width
        ("a\tb\nc\rd\x0be\x0cf\x85g", "a\tb\nc\rd\x0be\x0cf\x85g"),  # white space stays
    ],
)
def test_strip_invisible(raw: str, visible: str) -> None:
    assert p.strip_invisible(raw) == visible


@given(st.text())
def test_clean_text_is_idempotent_and_folded(value: str) -> None:
    once = p.clean_text(value)
    assert p.clean_text(once) == once
    assert "  " not in once and once == once.strip()
    assert "\u00a0" not in once and "\n" not in once
    assert not any(ord(ch) < 32 or 127 <= ord(ch) < 160 for ch in once)


@pytest.mark.parametrize(("text", "has"), [("----", False), ("", False), ("a", True), ("9", True)])
def test_has_word_char(text: str, has: bool) -> None:
    assert p.has_word_char(text) is has


def test_nonempty() -> None:
    assert p.nonempty(" ---- ") is None
    assert p.nonempty("  ok ") == "ok"


def test_count_words() -> None:
    assert p.count_words("satu dua\n\ntiga") == 3
    assert p.count_words("") == 0


def test_unique_keeps_first_spelling_and_order() -> None:
    assert p.unique(["b", "A", "a", "c", "B"]) == ["b", "A", "c"]


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Maya Anggraini - Bisnis.com", "Maya Anggraini"),
        ("Maya Anggraini – Bisnis.com", "Maya Anggraini"),
        ("Maya Anggraini | Bisnis", "Maya Anggraini"),
        ("  Ni Luh Anggela ", "Ni Luh Anggela"),
    ],
)
def test_strip_suffix(raw: str, name: str) -> None:
    assert p.strip_suffix(raw, bisnis.BYLINE_SUFFIX) == name


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("Melvina Tionardus,", "Melvina Tionardus"),
        (" Yunanto Wiji Utomo ; ", "Yunanto Wiji Utomo"),
        ("Agus, Setiawan,,", "Agus, Setiawan"),
        ("Nama", "Nama"),
        (",", ""),
    ],
)
def test_trim_name(raw: str, name: str) -> None:
    assert p.trim_name(raw) == name


@pytest.mark.parametrize(
    ("text", "label", "value"),
    [
        ("Editor : Edi Suwiknyo", "editor", "Edi Suwiknyo"),
        ("editor:Nancy Junita", "Editor", "Nancy Junita"),
        ("Penulis : Maya", "editor", None),
        ("Editor : ", "editor", None),
        ("no label here", "editor", None),
    ],
)
def test_labelled_value(text: str, label: str, value: str | None) -> None:
    assert p.labelled_value(text, label) == value


@pytest.mark.parametrize(
    ("paragraph", "city", "rest"),
    [
        ("Bisnis.com, JAKARTA — Teks.", "JAKARTA", "Teks."),
        ("Bisnis.com, SURABAYA – Teks.", "SURABAYA", "Teks."),
        ("Bisnis.com, MEDAN - Teks.", "MEDAN", "Teks."),
        ("Bisnis,com, JAKARTA - Teks.", "JAKARTA", "Teks."),
        ("Bisnis, JAKARTA — Teks.", "JAKARTA", "Teks."),
        ("Bisnis.com, TANJUNG PINANG — Teks.", "TANJUNG PINANG", "Teks."),
        ("Bisnis.com, PANGKAL-PINANG — Teks.", "PANGKAL-PINANG", "Teks."),
        ("Bisnis.com, PANGKAL-PINANG - Teks.", "PANGKAL-PINANG", "Teks."),
        ("BISNIS.COM, JAKARTA — Teks.", "JAKARTA", "Teks."),
        ("Bisnis.com, JAKARTA -- Teks.", "JAKARTA", "Teks."),
        ("Bisnis.com, JAKARTA — Kim Jong-un tiba.", "JAKARTA", "Kim Jong-un tiba."),
        ("Teks tanpa dateline - sama sekali.", None, "Teks tanpa dateline - sama sekali."),
        ("Menurut Bisnis.com, JAKARTA — x", None, "Menurut Bisnis.com, JAKARTA — x"),
    ],
)
def test_split_dateline(paragraph: str, city: str | None, rest: str) -> None:
    assert p.split_dateline(paragraph, bisnis.DATELINE) == (city, rest)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Kamis, 20 November 2025 | 07:08", "2025-11-20T07:08:00+07:00"),
        ("Jum'at, 21 November 2025 | 06:59 WIB", "2025-11-21T06:59:00+07:00"),
        ("Jumat, 21 November 2025 | 21:00 WIB", "2025-11-21T21:00:00+07:00"),
        ("Rabu, 24 April 2019 | 10:15 WIB", "2019-04-24T10:15:00+07:00"),
        ("Selasa, 29 Juli 2025 | 18:27", "2025-07-29T18:27:00+07:00"),
        ("20 Nov 2025 | 21:25 WIB", "2025-11-20T21:25:00+07:00"),
        ("1 Agt 2025 08.05", "2025-08-01T08:05:00+07:00"),
        ("Senin, 3 Maret 2025", "2025-03-03T00:00:00+07:00"),
    ],
)
def test_parse_visible_date(text: str, iso: str) -> None:
    value = p.parse_visible_date(text)
    assert value is not None and p.to_wib_iso(value) == iso


def test_parse_visible_date_falls_back_to_dateparser() -> None:
    value = p.parse_visible_date("2025-11-20 07:08")
    assert value is not None and p.to_wib_iso(value) == "2025-11-20T07:08:00+07:00"


@pytest.mark.parametrize("text", ["", "   ", "kemarin sore?", "31 Februari 2025 | 10:00"])
def test_parse_visible_date_rejects_nonsense(text: str) -> None:
    assert p.parse_visible_date(text) is None


def test_parse_numeric_date() -> None:
    value = p.parse_numeric_date("2026/03/25 15:11:47")
    assert value is not None and p.to_wib_iso(value) == "2026-03-25T15:11:47+07:00"
    assert p.parse_numeric_date("25 Maret 2026") is None
    assert p.parse_numeric_date("2026/13/25 15:11:47") is None


def test_parse_iso_date() -> None:
    aware = p.parse_iso_date("2025-11-20T00:08:55Z")
    assert aware is not None and p.to_wib_iso(aware) == "2025-11-20T07:08:55+07:00"
    naive = p.parse_iso_date("2025-11-20T07:08:55")
    assert naive is not None and p.to_wib_iso(naive) == "2025-11-20T07:08:55+07:00"
    assert p.parse_iso_date("") is None
    assert p.parse_iso_date("not a date") is None


def test_iso_datetime() -> None:
    assert p.iso_datetime("2025-11-20T07:08:55+07:00") == datetime(
        2025, 11, 20, 7, 8, 55, tzinfo=p.WIB
    )
    assert p.iso_datetime("2025-11-20T00:08:55Z") == datetime(2025, 11, 20, 0, 8, 55, tzinfo=UTC)
    assert p.iso_datetime("2025-11-20T00:08:55") == datetime(2025, 11, 20, 0, 8, 55, tzinfo=UTC)
    assert p.iso_datetime("0001-01-01T07:00:00+07:00") is not None
    assert p.iso_datetime(None) is None and p.iso_datetime("") is None
    assert p.iso_datetime("20 November 2025") is None


PUBLISHED = "2025-11-20T07:08:55+07:00"


@pytest.mark.parametrize(
    ("candidates", "published", "updated"),
    [
        # the first later one, in the order given (most trusted first)
        (["2025-11-21T10:00:00+07:00", "2025-11-22T10:00:00+07:00"], PUBLISHED,
         "2025-11-21T10:00:00+07:00"),
        # one equal to (or before) the publication does not hide a later one
        ([PUBLISHED, "2025-11-20T06:00:00+07:00", "2025-11-20T09:00:00+07:00"], PUBLISHED,
         "2025-11-20T09:00:00+07:00"),
        # none later, none at all
        ([PUBLISHED, "2025-11-20T07:08:00+07:00"], PUBLISHED, None),
        ([], PUBLISHED, None),
        # unreadable candidates are skipped
        (["kemarin", "2025-11-21T10:00:00+07:00"], PUBLISHED, "2025-11-21T10:00:00+07:00"),
        # without a publication time: the first readable one
        (["x", "2025-11-21T10:00:00+07:00"], None, "2025-11-21T10:00:00+07:00"),
        (["x"], None, None),
    ],
)  # fmt: skip
def test_first_later(candidates: list[str], published: str | None, updated: str | None) -> None:
    assert p.first_later(candidates, published) == updated


def test_first_later_skips_a_time_in_the_future() -> None:
    latest = datetime(2025, 11, 23, tzinfo=UTC)
    bogus, real = "2099-01-01T00:00:00+07:00", "2025-11-21T10:00:00+07:00"
    assert p.first_later([bogus, real], PUBLISHED, latest) == real
    assert p.first_later([bogus], PUBLISHED, latest) is None
    assert p.first_later([bogus], PUBLISHED) == bogus  # no bound given


def test_loader_keeps_the_first_update_later_than_the_publication() -> None:
    loader = ArticleLoader()
    loader.add_value("published_at", ["2025-11-20T07:08:55+07:00"])
    loader.add_value(
        "updated_at", ["2025-11-20T07:08:55+07:00", "tidak terbaca", "2025/11/20 12:30:00"]
    )
    assert loader.load_item().updated_at == "2025-11-20T12:30:00+07:00"
    loader = ArticleLoader()
    loader.add_value("published_at", ["2025-11-20T07:08:55+07:00"])
    loader.add_value("updated_at", ["2025-11-20T07:08:55+07:00"])
    assert loader.load_item().updated_at is None
    assert ArticleLoader().load_item().updated_at is None


def test_loader_cuts_a_byline_list_separator() -> None:
    loader = bisnis.BisnisLoader()
    loader.add_value("authors", ["Melvina Tionardus,", "Yunanto Wiji Utomo - Bisnis.com", ","])
    assert loader.load_item().authors == ["Melvina Tionardus", "Yunanto Wiji Utomo"]


def test_to_wib_iso_drops_microseconds() -> None:
    assert (
        p.to_wib_iso(datetime(2025, 1, 1, 0, 0, 0, 5, tzinfo=p.WIB)) == "2025-01-01T00:00:00+07:00"
    )


def test_utc_now_iso_form() -> None:
    assert p.utc_now_iso().endswith("Z") and len(p.utc_now_iso()) == 20


def test_normalise_for_fingerprint() -> None:
    assert p.normalise_for_fingerprint(" Rupiah\u00a0NAIK ") == "rupiah naik"


def test_parse_date_prefers_each_form() -> None:
    assert parse_date("2025-11-20T10:38:36+07:00") == "2025-11-20T10:38:36+07:00"
    assert parse_date("2025/11/20 10:38:36") == "2025-11-20T10:38:36+07:00"
    assert parse_date("Kamis, 20 November 2025 | 10:38") == "2025-11-20T10:38:00+07:00"
    assert parse_date(datetime(2025, 11, 20, 3, 38, tzinfo=p.WIB)) == "2025-11-20T03:38:00+07:00"
    assert parse_date("tidak ada") is None


def test_paragraph_processors() -> None:
    paragraphs = clean_paragraphs(["  Bisnis.com, JAKARTA —  Satu. ", "----", "", "Dua"])
    assert paragraphs == ["Bisnis.com, JAKARTA — Satu.", "Dua"]
    form = bisnis.DATELINE
    assert body_paragraphs(paragraphs, form) == ["Satu.", "Dua"]
    assert dateline_of(paragraphs, form) == ["JAKARTA"]
    assert body_paragraphs(["Bisnis.com, JAKARTA —", "Dua"], form) == ["Dua"]
    assert body_paragraphs([], form) == [] and dateline_of([], form) == []
    assert dateline_of(["Tanpa dateline."], form) == []
    # control characters and escape sequences do not hide a dateline
    dirty = clean_paragraphs(["\x1b[31mBisnis.com\x1b[0m, JAKARTA\x01 — Satu\x7f."])
    assert body_paragraphs(dirty, form) == ["Satu."] and dateline_of(dirty, form) == ["JAKARTA"]
    bisnis_body, bisnis_city = datelines(bisnis.DATELINE, bisnis.PROMO_RULES)
    after_promo = ["Nyaman tanpa iklan. Langganan BisnisPro", "Bisnis.com, MEDAN — Satu."]
    assert bisnis_city(after_promo) == ["MEDAN"]
    assert bisnis_body(after_promo) == ["Nyaman tanpa iklan. Langganan BisnisPro", "Satu."]


def test_dates_at_the_edge_of_the_calendar_are_no_dates() -> None:
    assert parse_date("9999-12-31T23:00:00Z") is None
    assert parse_date("0001-01-01T00:00:00+08:00") is None


def test_json_ld_too_deep_is_ignored() -> None:
    assert p.json_ld_values("[" * 100_000 + "]" * 100_000, "datePublished") == []


#: Raw values of every field, as page objects give them (None: left out).
RAW_VALUES: list[tuple[str, Any]] = [
    ("url", "https://kabar24.bisnis.com/read/20251120/15/1931001/judul"),
    ("article_id", "1931001"),
    ("site", "bisnis.com"),
    ("section", "kabar24"),
    ("category", "  Ekonomi\u00a0Makro "),
    ("title", ["", "  Judul \n berita  "]),
    ("lead", None),
    (
        "authors",
        ["Melvina Tionardus,", "Yunanto Wiji Utomo - Bisnis.com", ",", "Melvina Tionardus"],
    ),
    ("editor", ["Editor : Hadijah Alaydrus", "lain"]),
    ("published_at", ["tidak terbaca", "2025-11-20T07:08:55+07:00"]),
    ("updated_at", ["2025-11-20T07:08:55+07:00", "2025/11/20 12:30:00"]),
    ("dateline", ["Baca juga: lain", "Bisnis.com, JAKARTA — Isi pertama.", "Kedua."]),
    ("body", ["Baca juga: lain", "Bisnis.com, JAKARTA — Isi pertama.", " ", "Kedua."]),
    ("image_url", "https://images.bisnis.com/x.jpg"),
    ("image_caption", ""),
    ("tags", ["Saham", "saham", "Saham", " "]),
    ("is_premium", True),
    ("language", "id"),
]


def _through_the_machinery(loader_class: type[ArticleLoader], **context: Any) -> ArticleItem:
    loader = loader_class(**context)
    for name, value in RAW_VALUES:
        if value is not None:
            loader.add_value(name, value)
    item: ArticleItem = loader.load_item()
    return item


@pytest.mark.parametrize(
    ("loader_class", "context"),
    [
        (ArticleLoader, {}),
        (bisnis.BisnisLoader, {}),
        (kompas.KompasLoader, {}),
        (GenericLoader, {"brand": "Bisnis"}),
        (RealWebLoader, {"brand": "Bisnis"}),
    ],
)
def test_direct_load_gives_what_the_machinery_gives(
    loader_class: type[ArticleLoader], context: dict[str, Any]
) -> None:
    direct = asdict(loader_class.load(RAW_VALUES, **context))
    machinery = asdict(_through_the_machinery(loader_class, **context))
    assert direct.pop("crawled_at") and machinery.pop("crawled_at")
    assert direct == machinery
    assert direct["body"]  # the values reached the item


def test_direct_load_raises_what_the_machinery_raises() -> None:
    def broken(value: str) -> str:
        raise RuntimeError("no")

    class Broken(ArticleLoader):
        title_in = MapCompose(p.nonempty, broken)

    with pytest.raises(ValueError, match="Error in MapCompose") as direct:
        Broken.load(RAW_VALUES)
    with pytest.raises(ValueError, match="Error in MapCompose") as machinery:
        _through_the_machinery(Broken)
    assert str(direct.value) == str(machinery.value)


def test_a_loader_of_its_own_loading_loads_through_it() -> None:
    class Marked(ArticleLoader):
        def load_item(self) -> ArticleItem:
            item = super().load_item()
            item.title = "marked"
            return item

    assert Marked.load(RAW_VALUES).title == "marked"
    assert ArticleLoader.load(RAW_VALUES).title == "Judul berita"
