"""Spider arguments: parsing, checking, and the crawl command's refusal of bad ones."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

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


# -- `crawl news`: many URLs ----------------------------------------------------------------------


def test_split_urls_splits_only_before_a_url() -> None:
    from newscrawl.arguments import split_urls

    assert split_urls("https://a.id/x,y,https://b.id/, http://c.id/z,,HTTPS://d.id/") == [
        "https://a.id/x,y",
        "https://b.id/",
        "http://c.id/z",
        "HTTPS://d.id/",
    ]
    assert split_urls(" https://br.de/nachrichten/titel,UBxyz1 ,") == [
        "https://br.de/nachrichten/titel,UBxyz1"
    ]
    assert split_urls(" , ") == []


def test_read_urls_file(tmp_path: Path) -> None:
    from newscrawl.arguments import read_urls_file
    from newscrawl.spiders.news import url_problem

    listing = tmp_path / "urls.txt"
    listing.write_text(
        "\ufeff# week 47\n\n  https://a.id/x,y  \nhttps://b.id/1\n# done\nhttps://a.id/x,y\n",
        "utf-8",
    )
    assert read_urls_file(str(listing), url_problem) == ("https://a.id/x,y", "https://b.id/1")
    listing.write_text("https://a.id/x\n\nnot a url\n", "utf-8")
    with pytest.raises(ArgumentError, match="line 3: 'not a url' is not an http"):
        read_urls_file(str(listing), url_problem)
    listing.write_text("# only a comment\n", "utf-8")
    with pytest.raises(ArgumentError, match="lists no URL"):
        read_urls_file(str(listing), url_problem)
    listing.write_bytes(b"https://a.id/\xff\n")
    with pytest.raises(ArgumentError, match="not UTF-8"):
        read_urls_file(str(listing), url_problem)
    with pytest.raises(ArgumentError, match="cannot be read"):
        read_urls_file(str(tmp_path / "missing.txt"), url_problem)


def test_news_plans_start_urls_with_commas_and_a_urls_file(tmp_path: Path) -> None:
    from newscrawl.spiders.news import GenericNewsSpider

    listing = tmp_path / "urls.txt"
    listing.write_text("https://www.b.id/berita/123456/judul\nhttps://a.id/x,y-z\n", "utf-8")
    plan = GenericNewsSpider.plan_for(
        {"start_urls": "https://a.id/x,y-z,https://c.id/", "urls_file": str(listing)}
    )
    assert plan.start_urls == ("https://c.id/",)  # a URL of the file is read as an article
    assert plan.article_urls == ("https://www.b.id/berita/123456/judul", "https://a.id/x,y-z")
    assert GenericNewsSpider.run_name(plan) == "news/a.id+b.id+c.id"
    only_file = GenericNewsSpider.plan_for({"urls_file": str(listing)})
    assert only_file.start_urls == () and len(only_file.article_urls) == 2
    with pytest.raises(ArgumentError, match="start_urls= is required"):
        GenericNewsSpider.plan_for({})


def test_the_folder_of_a_run_over_many_domains_fits_and_is_stable() -> None:
    from newscrawl.spiders.news import folder_name

    assert folder_name(["arusdaerah.id"]) == "arusdaerah.id"
    assert folder_name(["arusdaerah.id", "sorotrakyat.id"]) == "arusdaerah.id+sorotrakyat.id"
    many = sorted(f"kabar{n:03d}-daerah-nusantara.co.id" for n in range(126))
    name = folder_name(many)
    assert name.startswith("kabar000-daerah-nusantara.co.id+125-more-")
    assert re.fullmatch(r".*\+125-more-[0-9a-f]{12}", name)
    assert len(name.encode()) < 255
    assert folder_name(list(many)) == name  # stable
    assert folder_name(many[:-1]) != name  # another set, another folder
    long_one = "a" * 240 + ".id"
    assert len(folder_name([long_one]).encode()) < 255
    assert len(folder_name(["é" * 120 + ".id", "b.id"]).encode()) < 255


@pytest.mark.parametrize(
    ("url", "article"),
    [
        ("https://www.a.id/", False),
        ("https://ekonomi.a.id/", False),
        ("https://www.a.id/ekonomi", False),
        ("https://www.a.id/kategori/sains-dan-teknologi", False),
        ("https://www.a.id/tag/pemilihan-presiden-amerika-serikat", False),
        ("https://www.a.id/ekonomi/page/2", False),
        ("https://www.a.id/2025/11/20/", False),
        ("https://www.a.id/indeks?date=2025-11-20&page=1", False),
        ("https://www.a.id/?date=20251120&page=1", False),
        ("https://www.a.id/index?categoryId=0&date=2025-11-20&page=12345", False),
        ("https://www.a.id/index.php?id=12345", True),
        ("https://www.a.id/index.php?page=2&date=20251120", False),
        ("https://www.a.id/news-sitemap.xml", False),
        ("https://www.a.id/berita/kabar-daerah-pilihan-redaksi-pekan-ini", True),
        ("https://ekonomi.a.id/n6468796/nusantara-sejahtera", True),
        ("https://www.a.id/2018/04/ostsee-krokodil.html", True),
        ("https://winfuture.de/news,142489.html", True),
        ("https://www.kicker.de/interimstrainer-nicht-1019241/artikel", True),
        ("https://www.a.id/read.php?id=12345", True),
        ("https://www.a.id/?p=123", True),
        ("https://www.asahi.com/articles/AST1F4445T1FUTIL02SM.html", True),
        ("https://faktencheck.afp.com/doc.afp.com.B2LA2G3", True),
        ("https://nnz-online.de/news/news_lang.php?ArtNr=335853", True),
        ("https://www.be.ch/medien.html?newsID=c3aa546f-24d3-4b47-9c0c-59db58b2f725", True),
        ("https://www.a.id/ekonomi/UMKM", False),
        ("https://www.a.id/tag/COVID19", False),
    ],
)
def test_which_start_urls_are_articles(url: str, article: bool) -> None:
    from newscrawl.spiders.news import looks_like_article

    assert looks_like_article(url) is article


def test_the_day_of_a_publication_time_is_its_wib_day() -> None:
    """``since``/``until`` are WIB days: a time in another offset is placed in WIB, a date
    alone (``news``, a page without a time) is its day."""
    from newscrawl.spiders.base import published_day

    assert published_day("2025-11-20T23:30:00+07:00") == date(2025, 11, 20)
    assert published_day("2025-11-20T20:00:00-05:00") == date(2025, 11, 21)
    assert published_day("2025-11-20T18:00:00Z") == date(2025, 11, 21)
    assert published_day("2025-11-20") == date(2025, 11, 20)
    assert published_day(None) is None
    assert published_day("kemarin") is None


def test_every_spider_takes_max_articles_and_fresh() -> None:
    """The run's options (``-a max_articles=N``, ``-a fresh=1``), read beside the spider's own
    arguments, for the site spiders and ``news`` alike."""
    from newscrawl.spiders.news import GenericNewsSpider

    plan = BisnisSpider.read_plan({"since": "2025-11-20", "max_articles": "5", "fresh": "1"})
    assert plan.max_articles == 5 and plan.fresh and plan.days == (date(2025, 11, 20),)
    plan = BisnisSpider.read_plan({"since": "2025-11-20"})
    assert plan.max_articles is None and not plan.fresh
    plan = GenericNewsSpider.read_plan({"start_urls": "https://a.id/x", "max_articles": " 7 "})
    assert plan.max_articles == 7 and plan.start_urls == ("https://a.id/x",)
    assert BisnisSpider(since="2025-11-20", max_articles="3").plan.max_articles == 3
    with pytest.raises(ArgumentError, match=re.escape("(known: backfill, browser, ccnews, ")):
        BisnisSpider.read_plan({"max_article": "5"})


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_articles": "0"}, "max_articles='0' is not a whole number of articles (1 or more)"),
        ({"max_articles": "-3"}, "max_articles='-3' is not a whole number"),
        ({"max_articles": "2.5"}, "max_articles='2.5' is not a whole number"),
        ({"max_articles": "lima"}, "max_articles='lima' is not a whole number"),
        ({"max_articles": "٣"}, "is not a whole number"),  # a digit, but not ASCII
        ({"fresh": "2"}, "fresh='2' is not 0 or 1"),
        ({"fresh": ""}, "fresh='' is not 0 or 1"),
    ],
)
def test_bad_run_options_are_refused(kwargs: dict[str, str], message: str) -> None:
    with pytest.raises(ArgumentError, match=re.escape(message)):
        BisnisSpider.read_plan({"since": "2025-11-20", **kwargs})
