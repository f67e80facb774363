"""Unit tests of every branch of the processors Kompas.com needs (datelines, day-first and UTC
dates, JSON-LD) and of its loader."""

from __future__ import annotations

from datetime import UTC

import pytest

from newscrawl import processors as p
from newscrawl.loaders import datelines, parse_date
from newscrawl.sites import bisnis, kompas


@pytest.mark.parametrize(
    ("paragraph", "city", "rest"),
    [
        ("JAKARTA, KOMPAS.com - Teks.", "JAKARTA", "Teks."),
        ("BANDAR LAMPUNG, KOMPAS.com – Teks.", "BANDAR LAMPUNG", "Teks."),
        ("MEDAN, KOMPAS.com — Teks.", "MEDAN", "Teks."),
        ("JAKARTA,KOMPAS.com-Teks.", "JAKARTA", "Teks."),
        ("Jakarta, Kompas.com - Teks.", "Jakarta", "Teks."),
        ("  YOGYAKARTA ,  KOMPAS.COM  --  Teks - itu.", "YOGYAKARTA", "Teks - itu."),
        ("KOMPAS.com - Teks.", None, "Teks."),
        ("Kompas.com – Teks.", None, "Teks."),
        ("KOMPAS.com memberitakan - kemarin.", None, "KOMPAS.com memberitakan - kemarin."),
        ("Teks tanpa dateline - sama sekali.", None, "Teks tanpa dateline - sama sekali."),
        ("Bisnis.com, JAKARTA — Teks.", None, "Bisnis.com, JAKARTA — Teks."),
        ("2025, KOMPAS.com - Teks.", None, "2025, KOMPAS.com - Teks."),
        ("TANJUNG PANDAN, BELITUNG, KOMPAS.com - Teks.", "TANJUNG PANDAN, BELITUNG", "Teks."),
        ("Menurut dia, penjualan naik, kata KOMPAS.com - x", None,
         "Menurut dia, penjualan naik, kata KOMPAS.com - x"),
    ],
)  # fmt: skip
def test_split_kompas_dateline(paragraph: str, city: str | None, rest: str) -> None:
    assert p.split_dateline(paragraph, kompas.DATELINE) == (city, rest)


def test_kompas_dateline_is_not_a_bisnis_one() -> None:
    paragraph = "JAKARTA, KOMPAS.com - Teks."
    assert p.split_dateline(paragraph, bisnis.DATELINE) == (None, paragraph)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Kompas.com - 20/11/2025, 06:14 WIB", "2025-11-20T06:14:00+07:00"),
        ("21/11/2025, 16:19:30", "2025-11-21T16:19:30+07:00"),
        ("1/2/2025 08.05", "2025-02-01T08:05:00+07:00"),
        ("Kompas.com - 20/11/2025", "2025-11-20T00:00:00+07:00"),
        ("Kompas.com - 20/11/2025 - 10:19 WIB", "2025-11-20T10:19:00+07:00"),
        ("20/11/2025 | 10:19", "2025-11-20T10:19:00+07:00"),
        ("20/11/2025, pukul 10.19 WIB", "2025-11-20T10:19:00+07:00"),
    ],
)
def test_parse_dmy_date(text: str, iso: str) -> None:
    value = p.parse_dmy_date(text)
    assert value is not None and p.to_wib_iso(value) == iso


@pytest.mark.parametrize("text", ["", "tidak ada tanggal", "32/11/2025, 10:00", "2025/11/20"])
def test_parse_dmy_date_rejects_other_forms(text: str) -> None:
    assert p.parse_dmy_date(text) is None


def test_parse_iso_date_takes_naive_values_in_the_given_zone() -> None:
    utc = p.parse_iso_date("2025-11-19T23:14:22", naive=UTC)
    assert utc is not None and p.to_wib_iso(utc) == "2025-11-20T06:14:22+07:00"
    aware = p.parse_iso_date("2025-11-19T23:14:22+00:00", naive=p.WIB)
    assert aware is not None and p.to_wib_iso(aware) == "2025-11-20T06:14:22+07:00"


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ('{"@type": "NewsArticle", "datePublished": "2025-11-20T06:14:22+07:00"}',
         ["2025-11-20T06:14:22+07:00"]),
        ('[{"@type": "WebPage"}, {"datePublished": "A"}]', ["A"]),
        ('{"hasPart": {"hasPart": {"datePublished": "deep"}}, '
         '"@graph": [{"datePublished": "shallow"}], "datePublished": "top"}',
         ["top", "shallow", "deep"]),
        ('{"datePublished": 20251120}', []),
        ('{"headline": "x"}', []),
        ('"just a string"', []),
        ('{"datePublished": "2025-11-20T06:14:22+07:00", "headline": "bad "quote""}',
         ["2025-11-20T06:14:22+07:00"]),
        ('{"datePublished" : "a&amp;b",}', ["a&b"]),
    ],
)  # fmt: skip
def test_json_ld_values(text: str, values: list[str]) -> None:
    assert p.json_ld_values(text, "datePublished") == values


def test_parse_date_reads_the_visible_kompas_date() -> None:
    assert parse_date("Kompas.com - 20/11/2025, 06:14 WIB") == "2025-11-20T06:14:00+07:00"
    assert parse_date("Kamis, 20 November 2025 | 10:38") == "2025-11-20T10:38:00+07:00"


def test_datelines_processors_follow_the_pattern() -> None:
    body, city = datelines(kompas.DATELINE, kompas.PROMO_RULES)
    paragraphs = ["  JAKARTA, KOMPAS.com -  Satu. ", "----", "Dua"]
    assert body(paragraphs) == ["Satu.", "Dua"]
    assert city(paragraphs) == ["JAKARTA"]
    assert body(["KOMPAS.com -", "Dua"]) == ["Dua"] and city(["KOMPAS.com - Satu."]) == []
    assert body([]) == [] and city([]) == []
    # a promo line before the opening paragraph does not hide the dateline
    promo_first = ["Baca juga: Lain", "JAKARTA, KOMPAS.com - Satu.", "Dua"]
    assert body(promo_first) == ["Baca juga: Lain", "Satu.", "Dua"]
    assert city(promo_first) == ["JAKARTA"]
    assert city(["Baca juga: Lain"]) == [] and body(["Baca juga: Lain"]) == ["Baca juga: Lain"]


def test_control_characters_do_not_hide_a_kompas_dateline() -> None:
    body, city = datelines(kompas.DATELINE, kompas.PROMO_RULES)
    paragraphs = ["\x1b[1mJAKARTA\x1b[0m, KOMPAS.com\x01 - Satu\x1b]0;x\x07.", "Dua\x02"]
    assert body(paragraphs) == ["Satu.", "Dua"]
    assert city(paragraphs) == ["JAKARTA"]


def test_kompas_loader() -> None:
    loader = kompas.KompasLoader()
    loader.add_value("editor", ["Yunanto Wiji Utomo,"])
    assert loader.load_item().editor == "Yunanto Wiji Utomo"
    loader = kompas.KompasLoader()
    loader.add_value("editor", ["  Nancy  Junita "])
    loader.add_value("authors", ["Agus Setiawan - Kompas.com", "agus setiawan"])
    loader.add_value("body", ["KOMPAS.com - Satu dua.", "Baca juga: x"])
    loader.add_value("dateline", ["KOMPAS.com - Satu dua."])
    item = loader.load_item()
    assert item.editor == "Nancy Junita" and item.authors == ["Agus Setiawan"]
    assert item.body == "Satu dua.\n\nBaca juga: x" and item.dateline is None
