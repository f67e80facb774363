"""Spider arguments: parsing, checking, and the crawl command's refusal of bad ones."""

from __future__ import annotations

from datetime import date

import pytest

from newscrawl.arguments import (
    ArgumentError,
    check_names,
    date_range,
    parse_channels,
    parse_start_urls,
    split_list,
)
from newscrawl.sites import bisnis, kompas
from newscrawl.spiders.base import NewsSpider

BisnisSpider = NewsSpider.for_site(bisnis.SITE)
KompasSpider = NewsSpider.for_site(kompas.SITE)

TODAY = date(2025, 11, 28)


def test_date_range_forms() -> None:
    assert date_range(None, None, TODAY) == (TODAY,)
    assert date_range("2025-11-20", None, TODAY) == (date(2025, 11, 20),)
    assert date_range("2025-11-20", "2025-11-22", TODAY) == (
        date(2025, 11, 20),
        date(2025, 11, 21),
        date(2025, 11, 22),
    )


@pytest.mark.parametrize(
    ("since", "until", "message"),
    [
        ("2025-13-01", None, "since='2025-13-01' is not a date"),
        ("20-11-2025", None, "is not a date"),
        ("2025-11-20", "kemarin", "until='kemarin' is not a date"),
        ("2025-11-22", "2025-11-21", "is after"),
        (None, "2025-11-21", "until= needs since="),
    ],
)
def test_date_range_errors(since: str | None, until: str | None, message: str) -> None:
    with pytest.raises(ArgumentError, match=message):
        date_range(since, until, TODAY)


def test_split_list() -> None:
    assert split_list(" a, b,,c ") == ["a", "b", "c"]


def test_parse_channels() -> None:
    known = ["0", "43", "194"]
    assert parse_channels("43,194,43", known, "0") == ("43", "194")
    assert parse_channels("43,0", known, "0") == ("0",)
    with pytest.raises(ArgumentError, match="unknown channel 999"):
        parse_channels("43,999", known, "0")
    with pytest.raises(ArgumentError, match="empty"):
        parse_channels(" , ", known, "0")


def test_parse_start_urls() -> None:
    def ok(url: str) -> bool:
        return url.startswith("https://x.")

    assert parse_start_urls("https://x.a, https://x.a,https://x.b", ok, "x") == (
        "https://x.a",
        "https://x.b",
    )
    with pytest.raises(ArgumentError, match="is not a x URL"):
        parse_start_urls("https://x.a,https://y.b", ok, "x")
    with pytest.raises(ArgumentError, match="empty"):
        parse_start_urls(",", ok, "x")


def test_check_names() -> None:
    check_names(["since"], ["since", "until"])
    with pytest.raises(ArgumentError, match="unknown argument sinse"):
        check_names(["sinse"], ["since", "until"])


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": "2025-11-31"},
        {"channels": "43,12"},
        {"start_urls": "https://bisnis.com.berita-terkini.example/read/1"},
        {"start_urls": "http://127.0.0.1:9/read/20251120/9/1999998/internal"},
        {"start_urls": "ftp://www.bisnis.com/sitemap-news.xml"},
        {"start_urls": "https://www.bisnis.com/", "since": "2025-11-20"},
        {"page": "1"},
    ],
)
def test_bisnis_spider_refuses_bad_arguments(kwargs: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        BisnisSpider.plan_for(kwargs)


def test_bisnis_spider_plans() -> None:
    spider = BisnisSpider(since="2025-11-20", until="2025-11-21", channels="43,194")
    assert spider.plan.days == (date(2025, 11, 20), date(2025, 11, 21))
    assert spider.plan.channels == ("43", "194")
    spider = BisnisSpider(
        start_urls="https://market.bisnis.com/,https://www.bisnis.com/sitemap-news.xml"
    )
    assert spider.plan.start_urls == (
        "https://market.bisnis.com/",
        "https://www.bisnis.com/sitemap-news.xml",
    )
    assert BisnisSpider().plan.channels == ("0",)


KOMPAS_ARTICLE = "https://money.kompas.com/read/2025/11/20/165938330/garuda-digital"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"since": "2025-02-30"},
        {"since": "2025-11-21", "until": "2025-11-20"},
        {"until": "2025-11-21"},
        {"channels": "money,bola"},
        {"channels": "0"},
        {"start_urls": "https://kompas.com.berita-terkini.example/read/2025/11/20/1/x"},
        {"start_urls": "https://www.kompas.com/"},
        {"start_urls": "https://money.kompas.com/read/20251120/165938330/x"},
        {"start_urls": KOMPAS_ARTICLE, "since": "2025-11-20"},
        {"site": "money"},
    ],
)
def test_kompas_spider_refuses_bad_arguments(kwargs: dict[str, str]) -> None:
    with pytest.raises(ArgumentError):
        KompasSpider.plan_for(kwargs)


def test_kompas_spider_plans() -> None:
    assert KompasSpider().plan.channels == ("all",)
    spider = KompasSpider(since="2025-11-20", until="2025-11-21", channels="tekno,money,tekno")
    assert spider.plan.days == (date(2025, 11, 20), date(2025, 11, 21))
    assert spider.plan.channels == ("tekno", "money")
    assert KompasSpider(channels="money,all").plan.channels == ("all",)
    index = "https://indeks.kompas.com/?site=money&date=2025-11-20"
    assert KompasSpider(start_urls=f"{index},{KOMPAS_ARTICLE}").plan.start_urls == (
        index,
        KOMPAS_ARTICLE,
    )


def test_kompas_start_url_error_names_what_is_accepted() -> None:
    with pytest.raises(ArgumentError, match=r"not a kompas\.com index page or article URL"):
        KompasSpider.plan_for({"start_urls": "https://money.kompas.com/"})
