"""The tables of newscrawl.processors named entry by entry (every Indonesian and English month
name and abbreviation, every invisible character, every date form the parsers claim, the
fingerprint's separator), with properties where a property says it better: dates round-trip
through every form, fingerprints separate title from body, JSON-LD values are the values."""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from newscrawl import processors as p

# -- months ---------------------------------------------------------------------------------

#: Every month name and abbreviation the visible-date parser reads, by month.
MONTHS = {
    1: ["januari", "jan", "january"],
    2: ["februari", "feb", "pebruari", "february"],
    3: ["maret", "mar", "march"],
    4: ["april", "apr"],
    5: ["mei", "may"],
    6: ["juni", "jun", "june"],
    7: ["juli", "jul", "july"],
    8: ["agustus", "agu", "agt", "ags", "aug", "august"],
    9: ["september", "sep", "sept"],
    10: ["oktober", "okt", "oct", "october"],
    11: ["november", "nov", "nopember"],
    12: ["desember", "des", "dec", "december"],
}
NAMES = [(name, month) for month, names in MONTHS.items() for name in names]


def test_the_month_table_is_exactly_these_names() -> None:
    assert {name: month for name, month in NAMES} == p._MONTHS


@pytest.mark.parametrize(("name", "month"), NAMES)
def test_each_month_name_gives_its_month(name: str, month: int) -> None:
    for spelled in (name, name.upper(), name.capitalize()):
        value = p.parse_visible_date(f"Kamis, 20 {spelled} 2025 | 06:59 WIB")
        assert value == datetime(2025, month, 20, 6, 59, tzinfo=p.WIB), spelled
    # an abbreviation may carry a full stop
    assert p.parse_visible_date(f"3 {name.capitalize()}. 2024") == datetime(
        2024, month, 3, tzinfo=p.WIB
    )


def test_a_month_no_table_names_goes_to_dateparser() -> None:
    assert p.parse_visible_date("20 Foo 2025") is None
    assert p.parse_visible_date("20 Mars 2025") is None or p.parse_visible_date(
        "20 Mars 2025"
    ) == datetime(2025, 3, 20, tzinfo=p.WIB)


def test_a_known_month_with_an_impossible_day_is_no_date() -> None:
    assert p.parse_visible_date("31 Februari 2025 10:00") is None
    assert p.parse_visible_date("30 Feb 2024") is None


# -- the forms of visible, day-first and numeric dates -------------------------------------

AT = datetime(2025, 5, 7, 8, 9, tzinfo=p.WIB)
AT_S = AT.replace(second=10)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7 Mei 2025", AT.replace(hour=0, minute=0)),
        ("07 Mei 2025 08:09", AT),
        ("7 Mei 2025 8:09", AT),
        ("7 Mei 2025 08.09", AT),
        ("7 Mei 2025 08:09:10", AT_S),
        ("7 Mei 2025 08.09.10", AT_S),
        ("Rabu, 7 Mei 2025 | 08:09 WIB", AT),
        ("Rabu, 7 Mei 2025, 08:09 WIB", AT),
        ("7 Mei 2025 / 08:09", AT),
        ("7 Mei 2025 - 08:09", AT),
        ("7 Mei 2025 pukul 08.09 WIB", AT),
        ("7 Mei 2025, Pukul 08:09", AT),
        ("7 Mei 2025 pukul08:09", AT),
        ("7 Mei 2025|08:09", AT),
        ("Jum'at, 7\u00a0Mei\u00a02025 08:09", AT),
        ("Diperbarui 7 Mei 2025 08:09 WIB", AT),
    ],
)
def test_visible_date_forms(text: str, value: datetime) -> None:
    assert p.parse_visible_date(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("7/5/2025", AT.replace(hour=0, minute=0)),
        ("07/05/2025 08:09", AT),
        ("7/5/2025, 08:09", AT),
        ("7/5/2025 | 08:09", AT),
        ("7/5/2025 - 08:09", AT),
        ("7/5/2025 – 08:09", AT),
        ("7/5/2025,08.09.10", AT_S),
        ("7/5/2025, pukul 08.09 WIB", AT),
        ("7/5/2025 PUKUL 8:09", AT),
        ("Warta - 7/5/2025, 08:09 WIB", AT),
    ],
)
def test_day_first_forms(text: str, value: datetime) -> None:
    assert p.parse_dmy_date(text) == value


@pytest.mark.parametrize("text", ["107/5/2025", "7/5/25", "7-5-2025", "32/5/2025", "7/13/2025"])
def test_day_first_needs_a_whole_day_month_and_year(text: str) -> None:
    assert p.parse_dmy_date(text) is None


def test_day_first_stops_at_a_bad_time() -> None:
    assert p.parse_dmy_date("7/5/2025 24:00") is None
    assert p.parse_dmy_date("7/5/2025 23:60") is None


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("2025/05/07 08:09:10", AT_S),
        ("2025-05-07 08:09:10", AT_S),
        ("2025-05-07T08:09:10", AT_S),
        ("2025-5-7T8:09", AT),
        ("2025/05/07", AT.replace(hour=0, minute=0)),
        ("  2025-05-07 08:09  ", AT),
        ("2025-05/07", AT.replace(hour=0, minute=0)),
    ],
)
def test_numeric_date_forms(text: str, value: datetime) -> None:
    assert p.parse_numeric_date(text) == value


@pytest.mark.parametrize(
    "text",
    [
        "x2025-05-07",  # ^
        "2025-05-07 08:09 WIB",  # $
        "2025-05-07 08:09:10.5",
        "2025-05-07X08:09",  # the separator is a space or T
        "2025-05-07 08.09",
        "25-05-07",
        "2025-13-07",
        "",
    ],
)
def test_numeric_date_is_anchored_and_exact(text: str) -> None:
    assert p.parse_numeric_date(text) is None


def test_visible_date_of_nothing() -> None:
    assert p.parse_visible_date("") is None
    assert p.parse_visible_date(" \u200b ") is None


def test_dateparser_reads_what_the_fast_path_does_not() -> None:
    value = p.parse_visible_date("Jum'at, November 21, 2025 | 06:59 WIB")
    assert value == datetime(2025, 11, 21, 6, 59, tzinfo=p.WIB)
    assert p.parse_visible_date("November 2025") is None  # a day is required
    assert p.parse_visible_date("Selasa, Desember 2, 2025 16:00 WIB") == datetime(
        2025, 12, 2, 16, 0, tzinfo=p.WIB
    )


@pytest.mark.parametrize("text", ["21 de noviembre de 2025", "vendredi 21 novembre 2025"])
def test_dateparser_reads_indonesian_and_english_only(text: str) -> None:
    assert p.parse_visible_date(text) is None


def test_dateparser_answers_in_wib() -> None:
    value = p.parse_visible_date("November 21, 2025 06:59 UTC")
    assert value is not None and value.utcoffset() == timedelta(hours=7)
    assert value == datetime(2025, 11, 21, 6, 59, tzinfo=UTC)


_moments = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2099, 12, 31))


@settings(max_examples=40, deadline=None)
@given(_moments, st.sampled_from(NAMES), st.booleans(), st.sampled_from([" ", " | ", ", "]))
def test_visible_dates_round_trip(
    moment: datetime, name: tuple[str, int], seconds: bool, separator: str
) -> None:
    spelled, month = name
    day = min(moment.day, 28)
    text = f"{day} {spelled.capitalize()} {moment.year}{separator}{moment:%H:%M}"
    text += f":{moment:%S}" if seconds else ""
    expected = datetime(
        moment.year,
        month,
        day,
        moment.hour,
        moment.minute,
        moment.second if seconds else 0,
        tzinfo=p.WIB,
    )
    assert p.parse_visible_date(text + " WIB") == expected


@settings(max_examples=40, deadline=None)
@given(_moments)
def test_numeric_and_day_first_dates_round_trip(moment: datetime) -> None:
    moment = moment.replace(microsecond=0)
    aware = moment.replace(tzinfo=p.WIB)
    assert p.parse_numeric_date(f"{moment:%Y/%m/%d %H:%M:%S}") == aware
    assert p.parse_numeric_date(moment.isoformat()) == aware
    assert p.parse_dmy_date(f"{moment.day}/{moment.month}/{moment.year}, {moment:%H.%M.%S}") == (
        aware
    )
    assert p.parse_iso_date(moment.isoformat()) == aware
    assert p.parse_iso_date(aware.astimezone(UTC).isoformat().replace("+00:00", "Z")) == aware
    assert p.iso_datetime(p.to_wib_iso(aware)) == aware


# -- ISO times ------------------------------------------------------------------------------


def test_iso_forms() -> None:
    assert p.parse_iso_date("") is None
    assert p.parse_iso_date("kemarin") is None
    assert p.parse_iso_date("2025-11-20T06:14:22Z") == datetime(2025, 11, 20, 6, 14, 22, tzinfo=UTC)
    naive = p.parse_iso_date("2025-11-20T06:14:22")
    assert naive is not None and naive.tzinfo is p.WIB
    assert p.iso_datetime(None) is None
    assert p.iso_datetime("") is None
    assert p.iso_datetime("bukan") is None
    bare = p.iso_datetime("2025-11-20T06:14:22")
    assert bare == datetime(2025, 11, 20, 6, 14, 22, tzinfo=UTC) and bare.tzinfo is UTC
    assert p.iso_datetime("2025-11-20T06:14:22Z") == datetime(2025, 11, 20, 6, 14, 22, tzinfo=UTC)


def test_wib_is_utc_plus_seven_named_wib() -> None:
    assert p.WIB.utcoffset(None) == timedelta(hours=7)
    assert p.WIB.tzname(None) == "WIB"
    assert p.to_wib_iso(datetime(2025, 11, 19, 23, 8, 55, 999, tzinfo=UTC)) == (
        "2025-11-20T06:08:55+07:00"
    )


def test_utc_now_iso() -> None:
    before = datetime.now(UTC).replace(microsecond=0)
    text = p.utc_now_iso()
    after = datetime.now(UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", text)
    assert before <= datetime.fromisoformat(text.replace("Z", "+00:00")) <= after


def test_first_later_bounds() -> None:
    published = "2025-11-20T06:00:00+07:00"
    same = "2025-11-20T06:00:00+07:00"
    later = "2025-11-20T07:00:00+07:00"
    latest = datetime(2025, 11, 20, 7, 0, tzinfo=p.WIB)
    assert p.first_later([same, later], published) == later
    assert p.first_later([later], published, latest) == later  # at the bound is fine
    assert p.first_later([later], published, latest - timedelta(seconds=1)) is None
    assert p.first_later(["bukan", later], None) == later
    assert p.first_later([], published) is None


# -- invisible text -------------------------------------------------------------------------

#: Every character strip_invisible removes, and every white-space one it keeps.
INVISIBLE = [
    chr(c) for c in [*range(0x00, 0x09), *range(0x0E, 0x20), *range(0x7F, 0x85), *range(0x86, 0xA0)]
] + ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"]
KEPT = ["\t", "\n", "\x0b", "\x0c", "\r", "\x85", " ", "\u00a0", "\u200a"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_each_invisible_character_vanishes(char: str) -> None:
    assert p.strip_invisible(f"JAKARTA{char}") == "JAKARTA"
    assert p.nonempty(char) is None
    if char not in "\x1b\x9b":  # these open an escape sequence (below)
        assert p.strip_invisible(f"JA{char}KARTA") == "JAKARTA"
        assert p.clean_text(f" JA{char}KARTA{char} ") == "JAKARTA"


@pytest.mark.parametrize("char", KEPT, ids=[f"U+{ord(c):04X}" for c in KEPT])
def test_white_space_is_kept_then_folded(char: str) -> None:
    assert p.strip_invisible(f"a{char}b") == f"a{char}b"
    assert p.clean_text(f"a{char}b") == "a b"


@pytest.mark.parametrize(
    ("raw", "visible"),
    [
        ("\x1b[31mJAKARTA\x1b[0m", "JAKARTA"),
        ("\x1b[1;2;3mA", "A"),
        ("\x1b[?25lA", "A"),
        ("\x1b[ pA", "A"),
        ("\x9b31mA", "A"),
        ("\x1b]0;judul\x07A", "A"),
        ("\x1b]8;;https://x\x1b\\A", "A"),
        ("\x1b]0;tanpa akhir\nA", "0;tanpa akhir\nA"),
        ("\x1bcA", "cA"),
        ("\x1b@A", "A"),
        ("\x1b_A", "A"),
        ("\x1b", ""),
        ("A\x1b[", "A"),
    ],
)
def test_escape_sequences(raw: str, visible: str) -> None:
    assert p.strip_invisible(raw) == visible


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("A &amp; B", "A & B"),
        ("&lt;b&gt;", "<b>"),
        ("&#39;x&#x27;", "'x'"),
        ("a&nbsp;b", "a b"),
        ("AT&T", "AT&T"),
        ("a & b", "a & b"),
        ("&A;", "&A;"),
        ("&#x1b;[31mA", "[31mA"),
        ("&#1;A", "A"),
    ],
)
def test_entities(raw: str, clean: str) -> None:
    assert p.clean_text(raw) == clean


def test_word_helpers() -> None:
    assert p.has_word_char("--7--") and p.has_word_char("é") and not p.has_word_char("- – .")
    assert p.nonempty("  Satu  dua ") == "Satu dua" and p.nonempty(" -- ") is None
    assert p.count_words(" satu\tdua\n\ntiga ") == 3 and p.count_words("") == 0
    assert p.unique(["Ani", "ANI", "Budi", "ani", "budi", "Cici"]) == ["Ani", "Budi", "Cici"]
    assert p.unique(["Straße", "STRASSE"]) == ["Straße"]


# -- bylines and datelines -------------------------------------------------------------------


@pytest.mark.parametrize("dash", ["-", "–", "—", "|", ","])
def test_every_byline_suffix_separator(dash: str) -> None:
    suffix = p.site_suffix("warta.example")
    assert p.strip_suffix(f"Ani Lestari {dash} Warta.example", suffix) == "Ani Lestari"
    assert p.strip_suffix(f"Ani Lestari{dash}WARTA", suffix) == "Ani Lestari"
    assert p.strip_suffix(f"Ani Lestari {dash} wartaxexample", suffix) == (
        f"Ani Lestari {dash} wartaxexample"
    )


def test_byline_suffix_is_at_the_end_only() -> None:
    suffix = p.site_suffix("warta.example")
    assert p.strip_suffix("Warta - Ani", suffix) == "Warta - Ani"
    assert p.strip_suffix("Ani - Warta Sore", suffix) == "Ani - Warta Sore"
    assert p.strip_suffix("Ani / Warta", suffix) == "Ani / Warta"
    assert p.strip_suffix("Ani - Warta ", suffix) == "Ani"
    assert p.strip_suffix("Ani - Example", suffix) == "Ani - Example"


def test_trim_name_and_labels() -> None:
    assert p.trim_name(" Ani Lestari ,; ") == "Ani Lestari"
    assert p.trim_name("Ani;,") == "Ani"
    assert p.trim_name("Ani, Budi") == "Ani, Budi"
    assert p.trim_name("Malcolm X,") == "Malcolm X"
    assert p.labelled_value("Editor : Edi", "editor") == "Edi"
    assert p.labelled_value("  EDITOR:Edi  Susanto ", "Editor") == "Edi Susanto"
    assert p.labelled_value("Penyunting Berita: Edi", "penyunting berita") == "Edi"
    assert p.labelled_value("Editor:", "editor") is None
    assert p.labelled_value("Penulis: Edi", "editor") is None
    assert p.labelled_value("Edi", "editor") is None
    assert p.labelled_value("Editor 2: Edi", "editor") is None
    assert p.labelled_value("Editor: a\nb: c", "editor") == "a b: c"


def test_split_dateline_cleans_both_parts() -> None:
    pattern = re.compile(r"(?:(?P<city>[A-Z ]+),\s*)?WARTA\s*-\s*(?P<rest>.*)", re.DOTALL)
    assert p.split_dateline(" JAKARTA ,WARTA - Satu", pattern) == ("JAKARTA", "Satu")
    assert p.split_dateline("JAKARTA, WARTA -  Satu\n dua", pattern) == ("JAKARTA", "Satu dua")
    assert p.split_dateline("WARTA - Satu", pattern) == (None, "Satu")
    assert p.split_dateline(" , WARTA - Satu", pattern) == (None, "Satu")
    assert p.split_dateline("Teks biasa.", pattern) == (None, "Teks biasa.")


# -- JSON-LD --------------------------------------------------------------------------------

_leaf = st.one_of(st.text(max_size=8), st.integers(), st.none(), st.booleans())
_key = st.sampled_from(["datePublished", "headline", "@graph", "hasPart", "x"])
_json = st.recursive(
    _leaf,
    lambda inner: st.one_of(st.lists(inner, max_size=3), st.dictionaries(_key, inner, max_size=4)),
    max_leaves=12,
)


def _by_depth(data: object, key: str) -> list[tuple[int, str]]:
    """Every string value of ``key`` with its depth in objects (lists add none)."""
    found: list[tuple[int, str]] = []

    def walk(node: object, depth: int) -> None:
        if isinstance(node, list):
            for child in node:
                walk(child, depth)
        elif isinstance(node, dict):
            if isinstance(node.get(key), str):
                found.append((depth, node[key]))
            for name, child in node.items():
                if name != key:
                    walk(child, depth + 1)

    walk(data, 0)
    return found


@settings(max_examples=60, deadline=None)
@given(_json)
@example([{"datePublished": "a"}, {"x": {"datePublished": "c"}}, {"datePublished": "b"}])
@example({"@graph": [{"datePublished": "a"}, {"datePublished": "b"}], "datePublished": 1})
def test_json_ld_values_are_every_value_of_the_key_shallowest_first(data: object) -> None:
    text = json.dumps(data)
    values = p.json_ld_values(text, "datePublished")
    found = _by_depth(data, "datePublished")
    assert Counter(values) == Counter(value for _, value in found)
    depths = [min(d for d, v in found if v == value) for value in values]
    assert depths == sorted(depths)


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=120), st.text(alphabet="abc<>&;# ", max_size=10))
def test_json_ld_values_of_any_text_are_strings_found_in_it(text: str, value: str) -> None:
    values = p.json_ld_values(text, "datePublished")
    assert all(isinstance(v, str) for v in values)
    if values:
        assert '"datePublished"' in text
    broken = '{"datePublished": "' + value.replace('"', "") + '", oops'
    assert p.json_ld_values(broken, "datePublished") == [
        __import__("html").unescape(value.replace('"', ""))
    ]


def test_json_ld_values_search_broken_json_by_key_only() -> None:
    text = '{"datePublishedX": "no", "datePublished" :\n "yes", "a": "datePublished"'
    assert p.json_ld_values(text, "datePublished") == ["yes"]
    assert p.json_ld_values("[" * 5000, "datePublished") == []
    assert p.json_ld_values('{"a.b": "1", "aXb": "2"', "a.b") == ["1"]


# -- fingerprints ---------------------------------------------------------------------------


def test_the_fingerprint_is_sha256_of_title_newline_body() -> None:
    expected = hashlib.sha256(b"judul\nisi berita").hexdigest()
    assert p.content_fingerprint("  JUDUL ", "Isi\u00a0 Berita") == expected


def test_the_separator_keeps_title_and_body_apart() -> None:
    assert p.content_fingerprint("ab", "c") != p.content_fingerprint("a", "bc")
    assert p.content_fingerprint("a b", "c") != p.content_fingerprint("a", "b c")
    assert p.content_fingerprint("", "ab") != p.content_fingerprint("ab", "")


def test_normalise_for_fingerprint() -> None:
    assert p.normalise_for_fingerprint("ＡＢＣ\u00a0１２") == "abc 12"
    assert p.normalise_for_fingerprint("Straße \x1b[1mX") == "strasse x"
    assert p.normalise_for_fingerprint("ﬁ") == "fi"


_words = st.text(alphabet="ab ", max_size=6)


@settings(max_examples=80, deadline=None)
@given(_words, _words, _words, _words)
def test_fingerprints_are_equal_exactly_when_the_normalised_pair_is(
    t1: str, b1: str, t2: str, b2: str
) -> None:
    n = p.normalise_for_fingerprint
    same = (n(t1), n(b1)) == (n(t2), n(b2))
    assert (p.content_fingerprint(t1, b1) == p.content_fingerprint(t2, b2)) is same
