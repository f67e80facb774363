"""Dates of any page (newscrawl/dates.py): machine and visible forms in many languages, the
page's own offset, the locale's day/month order, placeholders refused."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from newscrawl.dates import (
    PageTime,
    localise,
    month_first,
    parse_machine,
    parse_visible,
    parse_written,
    plausible,
    site_zone,
)

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2024-04-25T14:07:00+02:00", "2024-04-25T14:07:00+02:00"),
        ("2024-04-25T12:07:00Z", "2024-04-25T12:07:00+00:00"),
        ("2024-04-25 14:07:00.123+0530", "2024-04-25T14:07:00+05:30"),
        ("2024-04-25", "2024-04-25"),
        ("2024/04/25 14:07:00", "2024-04-25"),  # a time whose zone nothing tells: its day
        ("20240425", "2024-04-25"),
        ("1714054020", "2024-04-25T14:07:00+00:00"),
        ("2018-10-29T10:15-500", "2018-10-29T10:15:00-05:00"),  # an hour of one digit
        ("2020-12-05T23:15:0Z", "2020-12-05T23:15:00+00:00"),  # a second of one digit
    ],
)
def test_machine_times(text: str, iso: str) -> None:
    time = parse_machine(text)
    assert time is not None
    assert time.iso() == iso


@pytest.mark.parametrize("text", ["", "yesterday", "2024-13-40", "2024-04-25T10:00+99:00"])
def test_machine_nonsense(text: str) -> None:
    assert parse_machine(text) is None


@pytest.mark.parametrize(
    ("text", "month_first", "want"),
    [
        ("Kamis, 20 November 2025 | 07:13 WIB", False, "2025-11-20T07:13:00+07:00"),
        ("Published 11:11 PM EST Nov 19, 2019", True, "2019-11-19T23:11:00-05:00"),
        # the US zones without summer time said: its offset on that day
        ("November 29, 2016: 3:42 PM ET", True, "2016-11-29T15:42:00-05:00"),
        ("July 4, 2016: 3:42 PM ET", True, "2016-07-04T15:42:00-04:00"),
        ("11/28/2016 11:00 AM PT", True, "2016-11-28T11:00:00-08:00"),
        ("12 mars 2016 à 14h30 et 15h", False, "2016-03-12"),  # "et" is a word: no zone
        ("HARTFORD, CT — March 3, 2024, 10:00 AM", True, "2024-03-03"),  # a state
        ("12/03/2024 10:00 | Foto: PT Pertamina", False, "2024-03-12"),  # a company
        ("25. April 2024, 14.07 Uhr", False, (2024, 4, 25, 14, 7)),
        ("Stand: 26.04.2024, 20:44 Uhr", False, (2024, 4, 26, 20, 44)),
        ("Publié le 18 juil. 2024 à 08:01", False, (2024, 7, 18, 8, 1)),
        ("05.01.2025 15:23", False, (2025, 1, 5, 15, 23)),  # 5 January, not 1 May
        ("01/05/2025", True, (2025, 1, 5, None, None)),  # the US order where the US's
        ("01/05/2025", False, (2025, 5, 1, None, None)),
        ("13/05/2025", True, (2025, 5, 13, None, None)),  # no 13th month: day first after all
        ("2025年1月13日 21時37分", False, (2025, 1, 13, 21, 37)),
        ("2025.06.04 02:37", False, (2025, 6, 4, 2, 37)),
        ("12 de abril de 2024", False, (2024, 4, 12, None, None)),
        ("3 października 2024", False, (2024, 10, 3, None, None)),
        # a video's length ("00:21 Min.") is no time of day
        ("WDR Studios NRW. 22.04.2024. 00:21 Min.. Verfügbar", False, (2024, 4, 22, None, None)),
        ("22.04.2024 | 3:05 min | 14:30 Uhr", False, (2024, 4, 22, 14, 30)),
        # "GMT+7" is an offset, not Greenwich's time (vnexpress.net's date line)
        ("Thứ ba, 5/3/2024, 15:12 (GMT+7)", False, "2024-03-05T15:12:00+07:00"),
        ("05.03.2024 10:32 UTC-3", False, "2024-03-05T10:32:00-03:00"),
        ("05.03.2024 14:30 GMT -5 min read", False, "2024-03-05T14:30:00+00:00"),  # a length
        ("5 марта 2024, 10:32 МСК", False, "2024-03-05T10:32:00+03:00"),
        # the afternoon said before the time (Korean, Japanese, Chinese) or after it (Arabic)
        ("2024.03.05. 오후 3:12", False, (2024, 3, 5, 15, 12)),
        ("2024.03.05. 오전 12:05", False, (2024, 3, 5, 0, 5)),
        ("2024年3月5日 午後3時12分", False, (2024, 3, 5, 15, 12)),
        ("2024年3月5日 下午3:12", False, (2024, 3, 5, 15, 12)),
        ("الثلاثاء، 05 مارس 2024 03:12 م", False, (2024, 3, 5, 15, 12)),
        ("05/03/2024 03:12 مساءً", False, (2024, 3, 5, 15, 12)),
        ("05/03/2024 12:12 ص", False, (2024, 3, 5, 0, 12)),
        # months of Portuguese, Russian, Ukrainian, Dutch short forms, Romanian, Hungarian,
        # Swedish, Catalan, Arabic, and Spanish's "setiembre"
        ("5 de março de 2024", False, (2024, 3, 5, None, None)),
        ("12 de dezembro de 2023 às 08h05", False, (2023, 12, 12, 8, 5)),
        ("5 марта 2024, 10:32", False, (2024, 3, 5, 10, 32)),
        ("5 жовтня 2024", False, (2024, 10, 5, None, None)),
        ("di 5 mrt 2024, 10:32", False, (2024, 3, 5, 10, 32)),
        ("20 septembrie 2020 16:20", False, (2020, 9, 20, 16, 20)),
        ("5 augusti 2024", False, (2024, 8, 5, None, None)),
        ("5 de setembre de 2024", False, (2024, 9, 5, None, None)),
        ("24 نيسان 2020", False, (2020, 4, 24, None, None)),
        ("5 de setiembre de 2024", False, (2024, 9, 5, None, None)),
        # Thai months, the year of the Buddhist era
        ("5 มี.ค. 2567 15:12 น.", False, (2024, 3, 5, 15, 12)),
        ("5 มีนาคม 2567", False, (2024, 3, 5, None, None)),
        # Arabic-Indic digits (Egyptian papers'): the patterns' \d reads them
        ("٥ مارس ٢٠٢٤ ٠٣:١٢ م", False, (2024, 3, 5, 15, 12)),
    ],
)
def test_visible_dates(text: str, month_first: bool, want: object) -> None:
    time = parse_visible(text, month_first)
    assert time is not None
    if isinstance(want, str):
        assert time.iso() == want
        return
    year, month, day, hour, minute = want  # type: ignore[misc]
    value = time.value
    assert (value.year, value.month, value.day) == (year, month, day)
    if hour is None:
        assert not time.has_time
    else:
        assert (value.hour, value.minute) == (hour, minute)


@pytest.mark.parametrize("text", ["", "Jugend in Deutschland 2024", "Nomor 12/34", "31.02.2024"])
def test_visible_nonsense(text: str) -> None:
    assert parse_visible(text) is None


def test_a_naive_time_is_placed_in_the_sites_zone_with_its_summer_offset() -> None:
    time = parse_visible("25. April 2024, 14.07 Uhr")
    assert time is not None
    assert localise(time, ZoneInfo("Europe/Berlin"), []).iso() == "2024-04-25T14:07:00+02:00"
    winter = parse_visible("5. Januar 2024, 14.07 Uhr")
    assert winter is not None
    assert localise(winter, ZoneInfo("Europe/Berlin"), []).iso() == "2024-01-05T14:07:00+01:00"


def test_a_utc_time_is_shown_in_the_sites_zone_its_instant_kept() -> None:
    time = parse_machine("2025-11-20T00:13:02Z")
    assert time is not None
    local = localise(time, ZoneInfo("Asia/Jakarta"), [])
    assert local.iso() == "2025-11-20T07:13:02+07:00"
    assert local.instant() == time.instant()


def test_an_offset_of_the_pages_own_stays() -> None:
    time = parse_machine("2024-04-25T14:07:00-04:00")
    assert time is not None
    assert localise(time, ZoneInfo("Asia/Jakarta"), []).iso() == "2024-04-25T14:07:00-04:00"


def test_without_a_zone_the_pages_other_offsets_tell() -> None:
    time = parse_machine("2024-04-25 14:07")
    assert time is not None
    offset = timezone(timedelta(hours=2))
    assert localise(time, None, [offset, offset]).iso() == "2024-04-25T14:07:00+02:00"
    assert localise(time, None, []).iso() == "2024-04-25"  # nothing tells: the day alone
    two = [offset, timezone(timedelta(hours=3))]
    assert localise(time, None, two).iso() == "2024-04-25"  # they disagree: the day alone


def test_a_date_alone_stays_a_date() -> None:
    date = parse_machine("2024-08-22")
    assert date is not None
    assert not date.has_time
    assert localise(date, ZoneInfo("Europe/Berlin"), []).iso() == "2024-08-22"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("0001-01-01T00:00:00Z", False),
        ("1970-01-01T00:00:00Z", False),
        ("1989-12-31T23:00:00Z", False),
        ("1990-01-02T00:00:00Z", True),
        ("2026-12-07T11:00:00Z", True),  # clocks and zones disagree a little
        ("2026-12-08T12:00:01Z", False),  # more than a day ahead
    ],
)
def test_placeholders_and_future_times_are_refused(text: str, ok: bool) -> None:
    time = parse_machine(text)
    assert time is not None
    assert plausible(time, NOW) is ok


@pytest.mark.parametrize(
    ("suffix", "language", "zone"),
    [
        ("co.id", "id", "Asia/Jakarta"),
        ("de", "de", "Europe/Berlin"),
        ("co.uk", "en", "Europe/London"),
        ("com", "de", "Europe/Berlin"),
        ("com", "id", "Asia/Jakarta"),
        ("com", "en", None),  # English on .com: the US, Britain, India... nothing tells
        ("com.au", "en", None),  # a country of several zones
    ],
)
def test_site_zone(suffix: str, language: str, zone: str | None) -> None:
    found = site_zone(suffix, language)
    assert (str(found) if found else None) == zone


@pytest.mark.parametrize(
    ("language", "suffix", "first"),
    [("en-US", "com", True), ("en", "com", True), ("en-GB", "co.uk", False),
     ("en", "co.uk", False), ("de", "com", False), ("id", "id", False)],
)  # fmt: skip
def test_month_first_where_the_us_order_is(language: str, suffix: str, first: bool) -> None:
    assert month_first(language, suffix) is first


def test_page_time_forms() -> None:
    aware = PageTime(datetime(2024, 4, 25, 14, 7, 0, 123, tzinfo=timezone(timedelta(hours=2))))
    assert aware.iso() == "2024-04-25T14:07:00+02:00"
    assert PageTime(datetime(2024, 4, 25), has_time=False).iso() == "2024-04-25"


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("Tue, Sep 15 2020 10:01:41 EDT", "2020-09-15T10:01:41-04:00"),
        ("Sun, 11 Oct 2020 07:34:36 GMT", "2020-10-11T07:34:36+00:00"),
        ("2017-03-13|19h18", "2017-03-13"),  # no zone: its day
        ("05/08/2014 07:01:00", None),  # the 5th of August or the 8th of May: not guessed
        ("Tuesday", None),
    ],
)
def test_a_machines_field_written_for_people(text: str, iso: str | None) -> None:
    time = parse_written(text)
    assert (time.iso() if time is not None else None) == iso
