"""Dates of any page: read from what pages write (ISO 8601 in metas and JSON-LD, visible dates
in many languages), with the page's own offset kept and the locale's day/month order.

A :class:`PageTime` is a publication or update time as a page gives it: an aware datetime
(the page said its offset, or the site's zone tells it), a naive one (the page gave a time and
nothing tells its zone), or a date alone. :meth:`PageTime.iso` writes it as the item holds
it: ``2024-04-25T14:07:00+02:00``, or ``2024-04-25`` for a date alone and for a time whose
zone nothing tells (its instant is not known, its day is).

Placeholders are refused (:func:`plausible`): a year before 1990 (``0001-01-01``,
``1970-01-01``) and a time more than a day past the crawl.

All functions are pure; the generic page object gathers the candidates.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo

#: The earliest publication a page may claim (as the validation pipeline's bound).
EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
#: How far past the crawl a time may lie (clocks and zones disagree a little).
FUTURE_SLACK = timedelta(days=1)


@dataclass(frozen=True)
class PageTime:
    """A time as a page gives it (see the module docstring)."""

    value: datetime
    #: False for a date without a time of day (``value`` is then its midnight, naive).
    has_time: bool = True

    @property
    def aware(self) -> bool:
        return self.value.tzinfo is not None

    def iso(self) -> str:
        """``2024-04-25T14:07:00+02:00`` (an aware time, to the second), ``2024-04-25`` (a date
        alone, or a time whose zone nothing tells: its instant is not known)."""
        if not self.has_time or self.value.tzinfo is None:
            return self.value.date().isoformat()
        return self.value.replace(microsecond=0).isoformat()

    def instant(self) -> datetime:
        """The time as an aware datetime (a naive one or a date taken as UTC), to compare."""
        value = self.value
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)

    def local_date(self) -> date:
        return self.value.date()

    def in_zone(self, zone: tzinfo) -> PageTime:
        """A naive time placed in ``zone`` (its wall clock kept); an aware time shown in
        ``zone`` (its instant kept); a date alone stays as it is."""
        if not self.has_time:
            return self
        if self.value.tzinfo is None:
            return PageTime(self.value.replace(tzinfo=zone).astimezone(_fixed(zone, self.value)))
        return PageTime(self.value.astimezone(zone).astimezone(_fixed(zone, self.value)))


def _fixed(zone: tzinfo, when: datetime) -> timezone:
    """``zone``'s offset at ``when`` as a fixed offset (so the ISO form shows ``+02:00``)."""
    probe = when.replace(tzinfo=zone) if when.tzinfo is None else when.astimezone(zone)
    offset = probe.utcoffset() or timedelta(0)
    return timezone(offset)


def plausible(time: PageTime, now: datetime) -> bool:
    """True when ``time`` can be a page's publication: from 1990 on, and not more than a day
    past ``now`` (aware)."""
    instant = time.instant()
    return EARLIEST <= instant <= now + FUTURE_SLACK


# --- machine-written times ----------------------------------------------------------------

_ISO = re.compile(
    r"^\s*(?P<y>\d{4})-?(?P<m>\d{2})-?(?P<d>\d{2})"
    r"(?:[T\s]+(?P<H>\d{1,2}):?(?P<M>\d{2})(?::(?P<S>\d{1,2})|(?P<S2>\d{2}))?(?:[.,]\d+)?)?"
    r"\s*(?P<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?|[+-]\d{3})?\s*$",
    re.IGNORECASE,
)
_SLASHED = re.compile(
    r"^\s*(?P<y>\d{4})[/.](?P<m>\d{1,2})[/.](?P<d>\d{1,2})"
    r"(?:[T\s]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2}))?)?"
    r"\s*(?P<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_EPOCH = re.compile(r"^\s*(\d{10})(\d{3})?\s*$")


def _offset(text: str | None) -> tzinfo | None:
    if not text:
        return None
    if text.upper() in ("Z", "UTC", "GMT"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    if len(digits) == 3:
        digits = "0" + digits  # "-500": an hour of one digit (washingtonpost.com's)
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _build(
    year: int, month: int, day: int, hour: int | None, minute: int, second: int, zone: tzinfo | None
) -> PageTime | None:
    try:
        if hour is None:
            return PageTime(datetime(year, month, day), has_time=False)
        return PageTime(datetime(year, month, day, hour, minute, second, tzinfo=zone))
    except ValueError:
        return None


def parse_machine(text: str) -> PageTime | None:
    """A time as metas, JSON-LD and ``<time datetime>`` write it: ISO 8601 (``2024-04-25``,
    ``2024-04-25T14:07:00+02:00``, ``2024-04-25 14:07:00.123Z``), ``2024/04/25 14:07:00``, or
    seconds since 1970 (``1714054020``, in milliseconds too)."""
    if not text or len(text) > 64:
        return None
    match = _ISO.match(text) or _SLASHED.match(text)
    if match is None:
        epoch = _EPOCH.match(text)
        if epoch is None:
            return None
        return PageTime(datetime.fromtimestamp(int(epoch.group(1)), tz=UTC))
    parts = match.groupdict()
    zone_text = parts["z"]
    zone = _offset(zone_text)
    if zone_text and zone is None:
        return None
    hour = int(parts["H"]) if parts["H"] is not None else None
    return _build(
        int(parts["y"]),
        int(parts["m"]),
        int(parts["d"]),
        hour,
        int(parts["M"] or 0),
        int(parts["S"] or parts.get("S2") or 0),
        zone if hour is not None else None,
    )


# --- visible dates ------------------------------------------------------------------------

#: Years of the Buddhist era (Thai pages'): 543 ahead of the common era; no page dates its
#: news after the year 2400 of ours.
BUDDHIST_ERA = 543
BUDDHIST_ERA_FROM = 2400
#: Arabic-Indic and Persian digits as the Western ones ("٥ مارس ٢٠٢٤" is "5 مارس 2024"; the
#: patterns' ``\d`` reads them already, plain substring looks do not).
WESTERN_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
#: Month names and short forms of the languages of the news (lower case, without a dot;
#: Thai's short forms hold dots of their own: "5 มี.ค. 2567").
MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        "january jan januar jänner janvier janv enero ene gennaio gen januari januári "
        "stycznia styczeń sty ocak tammikuu tammikuuta leden ledna januára "
        "janeiro ianuarie gener января январь січня يناير "
        "มกราคม ม.ค",
        "february feb februar février févr fevrier febrero febbraio februari pebruari lutego "
        "luty lut şubat helmikuu helmikuuta únor února február "
        "fevereiro fev februarie febrer февраля февраль лютого فبراير شباط "
        "กุมภาพันธ์ ก.พ",
        "march mar märz maerz mars marzo maret maart marca marzec mart maaliskuu maaliskuuta "
        "březen března marec mär "
        "março mrt martie március març марта март березня مارس آذار "
        "มีนาคม มี.ค",
        "april apr avril avr abril aprile kwietnia kwiecień kwi nisan huhtikuu huhtikuuta "
        "duben dubna apríl "
        "aprilie április апреля апрель квітня أبريل ابريل إبريل نيسان "
        "เมษายน เม.ย",
        "may mai mayo maggio mei maja maj mayıs toukokuu toukokuuta květen května máj "
        "maio május maig мая май травня مايو أيار "
        "พฤษภาคม พ.ค",
        "june jun juni juin junio giugno czerwca czerwiec cze haziran kesäkuu kesäkuuta "
        "červen června jún "
        "junho iunie június juny июня июнь червня يونيو حزيران "
        "มิถุนายน มิ.ย",
        "july jul juli juillet juil julio luglio lipca lipiec lip temmuz heinäkuu heinäkuuta "
        "červenec července júl "
        "julho iulie július juliol июля июль липня يوليو تموز "
        "กรกฎาคม ก.ค",
        "august aug août aout agosto agustus augustus sierpnia sierpień sie ağustos elokuu "
        "elokuuta srpen srpna agu ags agt ago "
        "augusti augusztus agost августа август серпня أغسطس آب "
        "สิงหาคม ส.ค",
        "september sep sept septembre septiembre settembre set września wrzesień wrz eylül "
        "syyskuu syyskuuta září "
        "setembro setiembre septembrie szeptember setembre сентября сентябрь вересня "
        "سبتمبر أيلول "
        "กันยายน ก.ย",
        "october oct oktober okt octobre octubre ottobre ott października październik paź "
        "ekim lokakuu lokakuuta říjen října október "
        "outubro octombrie октября октябрь жовтня أكتوبر "
        "ตุลาคม ต.ค",
        "november nov novembre noviembre nopember listopada listopad lis kasım marraskuu "
        "marraskuuta "
        "novembro noiembrie ноября ноябрь листопада نوفمبر "
        "พฤศจิกายน พ.ย",
        "december dec dezember dez décembre déc decembre diciembre dic dicembre dicembre "
        "desember des grudnia grudzień gru aralık joulukuu joulukuuta prosinec prosince "
        "dezembro decembrie desembre декабря декабрь грудня ديسمبر "
        "ธันวาคม ธ.ค",
    ),
    start=1,
):
    for _name in _names.split():
        MONTHS.setdefault(_name, _number)
#: :data:`MONTHS` as an alternation, the longest names first (the furniture's date lines use
#: it too).
MONTH_PATTERN = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
#: "25. April 2024", "25 avril 2024", "25-Apr-2024".
_DAY_MONTH_YEAR = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s*(?:de\s+|-)?(?P<mon>{MONTH_PATTERN})"
    rf"\.?,?\s*(?:de\s+|-)?(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
#: "April 25, 2024", "Nov 19, 2019", "April 25th 2024".
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<mon>{MONTH_PATTERN})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d)",
    re.IGNORECASE,
)
#: "25.04.2024", "04/25/2024", "25-04-2024", "25.04.24".
_NUMERIC = re.compile(
    r"(?<![\d.:/])(?P<a>\d{1,2})([./-])(?P<b>\d{1,2})\2(?P<y>\d{4}|\d{2})(?![\d])"
)
#: "2024-04-25", "2024/04/25", "2024.04.25", "2024년 4월 25일", "2024年4月25日".
_YEAR_FIRST = re.compile(
    r"(?<!\d)(?P<y>(?:19|20)\d{2})\s*(?:[./-]|년|年)\s*(?P<m>\d{1,2})\s*(?:[./-]|월|月)\s*"
    r"(?P<d>\d{1,2})(?!\d)\s*(?:일|日)?"
)
#: A time of day: "14:07", "14.07 Uhr", "2:05 PM", "21時37分", "kl. 14.07"; not a length
#: ("00:21 Min.", "3:05 min": a video's or a read's).
_TIME = re.compile(
    r"(?:(?P<before>오전|오후|午前|午後|上午|下午)\s*)?"
    r"(?<![\d.:])(?P<H>\d{1,2})(?:\s*[:.hH時]\s*)(?P<M>\d{2})(?:\s*[:.]\s*(?P<S>\d{2}))?"
    r"(?:\s*分)?(?!\d|\.\d|[./-]\d)"
    r"(?!\s*(?:min|mins|minutes?|minuten|minutos?|minuti|menit|dakika|dk|sek|sec)\b)"
    r"(?:\s*(?P<ampm>[ap]\.?\s?m\.?|ص|م|صباحا|مساء|صباحاً|مساءً)(?!\w))?",
    re.IGNORECASE,
)
#: The words for the afternoon before or after a time of day: "오후 3:12", "午後3時12分",
#: "下午3:12", "03:12 م" (Arabic: مساءً); and for the morning.
_AFTERNOON = frozenset({"오후", "午後", "下午", "م", "مساء", "مساءً"})
_MORNING = frozenset({"오전", "午前", "上午", "ص", "صباحا", "صباحاً"})
#: Zone names pages print after a time, with their offsets (hours).
ZONE_NAMES: dict[str, float] = {
    "wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0, "cet": 1, "cest": 2, "mez": 1,
    "mesz": 2, "bst": 1, "ist": 5.5, "est": -5, "edt": -4, "cst": -6, "cdt": -5, "mst": -7,
    "mdt": -6, "pst": -8, "pdt": -7, "jst": 9, "kst": 9, "sast": 2, "eat": 3, "cat": 2,
    "wat": 1, "eet": 2, "eest": 3, "msk": 3, "aest": 10, "aedt": 11, "nzst": 12, "nzdt": 13,
    "hkt": 8, "sgt": 8, "trt": 3, "мск": 3,
}  # fmt: skip
#: The US zones as pages print them without saying whether summer time is on ("3:42 PM
#: ET"); in capitals only ("et" is a word in French and Latin).
US_ZONES = {"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver",
            "PT": "America/Los_Angeles"}  # fmt: skip
_US_ZONE = re.compile(r"\s*(ET|CT|MT|PT)(?![\w])")
_ZONE = re.compile(  # "GMT+7" before "GMT": an offset, not Greenwich's time
    r"(?<![\w])(?:(?:utc|gmt)\s*(?P<off>[+-]\d{1,2}(?::?\d{2})?)(?!\s*min)"
    r"|(?P<name>" + "|".join(sorted(ZONE_NAMES, key=len, reverse=True)) + r"))(?![\w])",
    re.IGNORECASE,
)


@lru_cache(maxsize=2048)
def parse_visible(text: str, month_first: bool = False) -> PageTime | None:
    """A date as a page shows it, in any of the common forms and languages: "Kamis, 20
    November 2025 | 07:13 WIB", "25. April 2024, 14.07 Uhr", "Published 11:11 PM EST Nov 19,
    2019", "2025年1月13日 21時37分", "05.01.2025 15:23". A numeric date is read day first
    unless ``month_first`` (the US order) and both readings are dates. A time without a
    printed zone is naive (:func:`localise` places it)."""
    if not text or len(text) > 300:
        return None
    year = month = day = None
    found = None
    for pattern in (_YEAR_FIRST, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _NUMERIC):
        match = pattern.search(text)
        if match is None:
            continue
        parts = match.groupdict()
        if "mon" in parts:
            month = MONTHS.get(parts["mon"].lower().rstrip("."))
            day = int(parts["d"])
        elif "a" in parts:
            first, second = int(parts["a"]), int(parts["b"])
            if month_first and first <= 12:
                month, day = first, second
            elif first > 12 or second <= 12:
                day, month = first, second
            else:
                month, day = first, second
        else:
            month, day = int(parts["m"]), int(parts["d"])
        year = int(parts["y"])
        if year < 100:
            year += 2000 if year < 70 else 1900
        elif year > BUDDHIST_ERA_FROM:
            year -= BUDDHIST_ERA  # a Thai page's year of the Buddhist era: 2567 is 2024
        found = match
        break
    if found is None or month is None or year is None or day is None:
        return None
    rest = text[: found.start()] + " " + text[found.end() :]
    clock = _TIME.search(rest)
    if clock is None:
        return _build(year, month, day, None, 0, 0, None)
    hour, minute = int(clock.group("H")), int(clock.group("M"))
    second = int(clock.group("S") or 0)
    ampm = (clock.group("ampm") or clock.group("before") or "").lower()
    if (ampm.startswith("p") or ampm in _AFTERNOON) and hour < 12:
        hour += 12
    elif (ampm.startswith("a") or ampm in _MORNING) and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return _build(year, month, day, None, 0, 0, None)
    zone = _printed_zone(rest, rest[clock.end() :])
    if isinstance(zone, ZoneInfo):  # "ET": its offset on that day, fixed
        zone = _fixed(zone, datetime(year, month, day, hour, minute))
    return _build(year, month, day, hour, minute, second, zone)


def parse_written(text: str) -> PageTime | None:
    """A time a machine's field writes for people ("Tue, Sep 15 2020 10:01:41 EDT",
    "2017-03-13|19h18"), read as :func:`parse_visible` reads a shown one, when its date leaves
    no order of day and month to guess: year first, or the month named."""
    if len(text) > 64 or not (
        _YEAR_FIRST.search(text) or _DAY_MONTH_YEAR.search(text) or _MONTH_DAY_YEAR.search(text)
    ):
        return None
    return parse_visible(text)


def _printed_zone(text: str, after: str) -> tzinfo | None:
    """The zone printed beside a visible time in ``text`` ("WIB", "EST", "GMT+2"), or right
    after it (``after``: "3:42 PM ET", "11:00 AM PT", the US zones, summer time or not; not
    "HARTFORD, CT" nor "PT Pertamina" elsewhere on the line), if any."""
    match = _ZONE.search(text)
    if match is None:
        us = _US_ZONE.match(after)
        return ZoneInfo(US_ZONES[us.group(1)]) if us is not None else None
    if match.group("name"):
        hours = ZONE_NAMES[match.group("name").lower()]
        return timezone(timedelta(hours=hours))
    return _offset(_two_digit(match.group("off")))


def _two_digit(offset: str) -> str:
    sign, digits = offset[0], offset[1:].replace(":", "")
    hours, minutes = (digits[:-2], digits[-2:]) if len(digits) > 2 else (digits, "00")
    return f"{sign}{int(hours):02d}:{minutes}"


# --- zones --------------------------------------------------------------------------------

#: The zone of a country's sites (the country's only or main zone), by its domain.
COUNTRY_ZONES = {
    "id": "Asia/Jakarta", "de": "Europe/Berlin", "at": "Europe/Vienna", "ch": "Europe/Zurich",
    "li": "Europe/Vaduz", "lu": "Europe/Luxembourg", "be": "Europe/Brussels",
    "nl": "Europe/Amsterdam", "fr": "Europe/Paris", "it": "Europe/Rome", "es": "Europe/Madrid",
    "pt": "Europe/Lisbon", "uk": "Europe/London", "ie": "Europe/Dublin",
    "dk": "Europe/Copenhagen", "no": "Europe/Oslo", "se": "Europe/Stockholm",
    "fi": "Europe/Helsinki", "pl": "Europe/Warsaw", "cz": "Europe/Prague",
    "sk": "Europe/Bratislava", "hu": "Europe/Budapest", "si": "Europe/Ljubljana",
    "hr": "Europe/Zagreb", "rs": "Europe/Belgrade", "ro": "Europe/Bucharest",
    "bg": "Europe/Sofia", "gr": "Europe/Athens", "cy": "Asia/Nicosia", "ee": "Europe/Tallinn",
    "lv": "Europe/Riga", "lt": "Europe/Vilnius", "ua": "Europe/Kyiv", "tr": "Europe/Istanbul",
    "il": "Asia/Jerusalem", "jp": "Asia/Tokyo", "kr": "Asia/Seoul", "cn": "Asia/Shanghai",
    "tw": "Asia/Taipei", "hk": "Asia/Hong_Kong", "sg": "Asia/Singapore",
    "my": "Asia/Kuala_Lumpur", "ph": "Asia/Manila", "th": "Asia/Bangkok",
    "vn": "Asia/Ho_Chi_Minh", "in": "Asia/Kolkata", "pk": "Asia/Karachi", "bd": "Asia/Dhaka",
    "ae": "Asia/Dubai", "sa": "Asia/Riyadh", "qa": "Asia/Qatar", "eg": "Africa/Cairo",
    "za": "Africa/Johannesburg", "ng": "Africa/Lagos", "ke": "Africa/Nairobi",
    "tz": "Africa/Dar_es_Salaam", "na": "Africa/Windhoek", "ls": "Africa/Maseru",
    "gh": "Africa/Accra", "nz": "Pacific/Auckland", "ar": "America/Argentina/Buenos_Aires",
    "cl": "America/Santiago", "co": "America/Bogota", "pe": "America/Lima",
}  # fmt: skip
#: The zone of a language's sites on a domain of no country (.com, .org, .net, ...), for the
#: languages spoken in one zone.
LANGUAGE_ZONES = {
    "id": "Asia/Jakarta", "de": "Europe/Berlin", "fr": "Europe/Paris", "it": "Europe/Rome",
    "nl": "Europe/Amsterdam", "pl": "Europe/Warsaw", "sv": "Europe/Stockholm",
    "nb": "Europe/Oslo", "no": "Europe/Oslo", "nn": "Europe/Oslo", "da": "Europe/Copenhagen",
    "fi": "Europe/Helsinki", "cs": "Europe/Prague", "sk": "Europe/Bratislava",
    "hu": "Europe/Budapest", "tr": "Europe/Istanbul", "ja": "Asia/Tokyo", "ko": "Asia/Seoul",
    "th": "Asia/Bangkok", "vi": "Asia/Ho_Chi_Minh", "el": "Europe/Athens",
    "ro": "Europe/Bucharest", "bg": "Europe/Sofia", "uk": "Europe/Kyiv", "he": "Asia/Jerusalem",
    "lt": "Europe/Vilnius", "lv": "Europe/Riga", "et": "Europe/Tallinn",
}  # fmt: skip
#: Domains of no country.
GENERIC_SUFFIXES = frozenset({"com", "org", "net", "info", "news", "eu", "io", "co", "tv", "media"})


@lru_cache(maxsize=256)
def site_zone(suffix: str, language: str) -> tzinfo | None:
    """The zone of a site's times, from its domain's country (``co.id``, ``de``) and else,
    on a domain of no country, from its language; None when neither tells (an English or
    Spanish site on ``.com``, a country of several zones)."""
    country = suffix.rsplit(".", 1)[-1].lower()
    name = COUNTRY_ZONES.get(country)
    if name is None and (country in GENERIC_SUFFIXES or not country):
        name = LANGUAGE_ZONES.get(language.split("-")[0].lower())
    return ZoneInfo(name) if name else None


def month_first(language: str, suffix: str) -> bool:
    """True where numeric dates put the month first (the US): a page in ``en-US``, or in
    English on ``.us`` or a domain of no country."""
    lang = language.lower()
    if lang.startswith("en-") or lang == "en":
        region = lang[3:]
        if region:
            return region in ("us", "ph")
        country = suffix.rsplit(".", 1)[-1].lower()
        return country == "us" or country in GENERIC_SUFFIXES
    return False


def localise(time: PageTime, zone: tzinfo | None, offsets: list[tzinfo]) -> PageTime:
    """``time`` in the page's own offset: a naive time is placed in the site's ``zone``
    (else in the offset the page's other times carry, ``offsets``, when they all agree); a
    time in UTC is shown in the site's zone (else in the other times' offset), its instant
    kept; any other offset is the page's own and stays. A date alone stays a date."""
    if not time.has_time:
        return time
    value = time.value
    others = {o.utcoffset(None) for o in offsets if o.utcoffset(None) not in (None, timedelta(0))}
    if value.tzinfo is None:
        if zone is not None:
            return time.in_zone(zone)
        if len(others) == 1:
            return PageTime(value.replace(tzinfo=timezone(others.pop() or timedelta(0))))
        return time
    if value.utcoffset() == timedelta(0):
        if zone is not None:
            return time.in_zone(zone)
        if len(others) == 1:
            return PageTime(value.astimezone(timezone(others.pop() or timedelta(0))))
    return time
