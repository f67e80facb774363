"""What ``scrapy crawl news`` publishes, and its exit status, on runs like the real web's
(issue 22): many sites in one run, one of them unhealthy; article URLs given by the user; an
article with no date; a given article that is lost; a file of URLs (with commas) over many
domains; pages that end without ``</html>``.

Each crawl is one ``scrapy crawl news`` subprocess through the replay proxy, on pages of the
generated sites of ``tests/fixtures/anysite/`` (copied by :class:`~tests.sitegen.SiteBuilder`,
rewritten where a test says so).
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newscrawl.given import GivenArticles
from newscrawl.items import ArticleItem
from newscrawl.pages.reading import read_generic
from newscrawl.pipelines import Duplicate
from tests.replay import ReplayProxy
from tests.sitegen import SiteBuilder
from tests.support import (
    FIXTURES,
    CrawlResult,
    assert_refused,
    published_items,
    run_crawl,
    stat,
    validate,
)
from tests.test_news import NOTES, assert_contract_items
from tests.test_news_hostile import plain_articles

ANYSITE = FIXTURES / "anysite"


def crawl(
    root: Path,
    output: Path,
    settings: dict[str, str] | None = None,
    faults: dict[str, list[str]] | None = None,
    feed: Path | None = None,
    **args: str,
) -> tuple[CrawlResult, list[str]]:
    """One ``crawl news`` of the site under ``root`` (its own feed, and ``-O feed`` when
    given): its result and the URLs it asked for."""
    with ReplayProxy(root, lifetime=300, faults=faults) as proxy:
        result = run_crawl(
            "news",
            {"browser": "never", **args},
            output_dir=output,
            proxy_env=proxy.env(),
            settings=settings,
            feed=feed,
            default_feed=feed is None,
        )
        return result, proxy.urls()


def manifest_of(output: Path) -> dict[str, Any]:
    """The manifest of the only run under ``output/news/``."""
    [path] = list((output / "news").glob("*/runs/*.json"))
    data: dict[str, Any] = json.loads(path.read_text("utf-8"))
    return data


def run_folders(output: Path) -> list[Path]:
    return sorted(path for path in (output / "news").iterdir() if path.is_dir())


def errors(result: CrawlResult) -> list[str]:
    return [line for line in result.log.splitlines() if " ERROR: " in line]


# -- health is judged per site --------------------------------------------------------------------


def without_title(page: str) -> str:
    """The page with no title anywhere: no h1, no <title>, no og/twitter title, no JSON-LD
    headline (the markup changed)."""
    page = re.sub(r"<h1[^>]*>.*?</h1>", "", page, flags=re.S)
    page = re.sub(r"<title>.*?</title>", "", page, flags=re.S)
    page = re.sub(r'<meta (?:property|name)="(?:og|twitter):title"[^>]*>', "", page)
    return re.sub(r'"headline": "[^"]*", ', "", page)


def test_one_unhealthy_site_withholds_only_its_own_articles(tmp_path: Path) -> None:
    """Two sites in one run; one lost its titles on a third of its pages (the markup
    changed). Its articles are withheld (kept in ``.rejected``, not committed); the other
    site's are published, in the run's feed and in the ``-O`` feed. The run exits 3 and its
    manifest names the unhealthy site."""
    healthy = plain_articles("arusdaerah.id")[:6]
    sick = plain_articles("sorotrakyat.id")[:6]
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    for url in sick[:2]:
        builder.put(url, without_title(builder.body(url)))
    output = tmp_path / "out"
    feed = tmp_path / "user.jsonl"
    result, _ = crawl(builder.save(), output, feed=feed, start_urls=",".join(healthy + sick))
    assert result.returncode == 3, result.log[-3000:]
    published = published_items(output, f"news/{run_folders(output)[0].name}")
    assert_contract_items("anysite", published, set(healthy))
    assert_contract_items("anysite", result.items, set(healthy))  # the -O feed
    [rejected] = list(output.glob("news/*/*/*.jsonl.rejected"))
    withheld = [json.loads(line) for line in rejected.read_text("utf-8").splitlines()]
    assert {item["url"] for item in withheld} == set(sick[2:])
    user_rejected = feed.with_name(feed.name + ".rejected")
    assert {json.loads(line)["url"] for line in user_rejected.read_text("utf-8").splitlines()} == (
        set(sick[2:])
    )
    manifest = manifest_of(output)
    assert manifest["exit_status"] == 3
    assert manifest["health"]["ok"] is False
    assert set(manifest["health"]["sites"]) == {"sorotrakyat.id"}
    assert "title" in manifest["health"]["sites"]["sorotrakyat.id"][0]
    assert manifest["withheld_sites"] == ["sorotrakyat.id"]
    assert manifest["items_exported"] == len(healthy)
    assert manifest["items_withheld"] == len(sick) - 2
    assert manifest["sites"] == ["arusdaerah.id", "sorotrakyat.id"]
    unhealthy = [line for line in errors(result) if "Unhealthy run" in line]
    assert len(unhealthy) == 1 and "sorotrakyat.id" in unhealthy[0]
    assert "arusdaerah.id" not in unhealthy[0]
    # the withheld articles were not committed: the next run (the markup fixed) exports them
    with ReplayProxy(ANYSITE, lifetime=300) as proxy:
        again = run_crawl(
            "news",
            {"browser": "never", "start_urls": ",".join(healthy + sick)},
            output_dir=output,
            proxy_env=proxy.env(),
            default_feed=True,
        )
    assert again.returncode == 0, again.log[-3000:]
    published = published_items(output, f"news/{run_folders(output)[0].name}")
    assert_contract_items("anysite", published, set(healthy + sick))


# -- a given article is read as an article --------------------------------------------------------


def test_an_article_start_url_is_never_crawled_as_a_listing(tmp_path: Path) -> None:
    """A start URL shaped like an article (a headline's slug) whose page is not recognised as
    one (here: a section page served there) is skipped as ``start_not_article``: none of the links
    it shows is followed. The run was given one article and exported nothing: exit 3."""
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    url = "https://www.arusdaerah.id/berita/kabar-daerah-pilihan-redaksi-pekan-ini"
    builder.put(url, builder.body("https://ekonomi.arusdaerah.id/"))
    result, asked = crawl(builder.save(), tmp_path / "out", start_urls=url)
    assert sorted(asked) == sorted([url, "https://www.arusdaerah.id/robots.txt"]), asked
    assert stat(result.log, "newscrawl/skipped/start_not_article") == 1
    assert result.returncode == 3, result.log[-3000:]
    manifest = manifest_of(tmp_path / "out")
    assert any("not_article" in failure for failure in manifest["health"]["failures"])


#: A short article with neither JSON-LD nor Open Graph: two paragraphs, prose enough to read by
#: Readability's measure, too little text to read as an article unasked.
UNMARKED_URL = "https://www.arusdaerah.id/berita/kabar-dari-desa-terpencil"
UNMARKED = """<!DOCTYPE html>
<html lang="id"><head><title>Kabar dari Desa Terpencil</title></head><body>
<header class="site-header"><a href="https://www.arusdaerah.id/">Arusdaerah</a></header>
<main><article>
<h1>Kabar dari Desa Terpencil</h1>
<div class="article-body">
<p>Warga desa di lereng gunung itu sudah bertahun-tahun menunggu jembatan baru yang dijanjikan
pemerintah daerah, dan kepala desa mengatakan jalan setapak menuju pasar masih licin setiap
kali hujan turun pada sore hari sehingga pedagang enggan datang.</p>
<p>Pemerintah kabupaten berjanji meninjau lokasi itu bersama dinas pekerjaan umum dalam waktu
dekat, sementara anak-anak sekolah masih harus berjalan kaki lebih jauh karena jembatan lama
sudah tidak bisa dilewati sejak banjir besar tahun lalu.</p>
</div>
</article></main>
<footer class="site-footer"><p>Hak cipta Arusdaerah.</p></footer>
</body></html>
"""


def test_a_given_article_without_article_markup_is_read_as_one(tmp_path: Path) -> None:
    """A short article the user gave, with no JSON-LD or Open Graph to say it is one and too
    short to read as one unasked: given, it is exported (unasked, the page reads as none)."""
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    builder.put(UNMARKED_URL, UNMARKED)
    result, _ = crawl(builder.save(), tmp_path / "out", start_urls=UNMARKED_URL)
    assert result.returncode == 0, result.log[-3000:]
    [item] = published_items(tmp_path / "out", "news/arusdaerah.id")
    assert (item["url"], item["title"]) == (UNMARKED_URL, "Kabar dari Desa Terpencil")
    assert item["body"].startswith("Warga desa di lereng gunung")
    assert stat(result.log, "newscrawl/given/exported") == 1
    assert not read_generic(UNMARKED_URL, UNMARKED.encode(), "utf-8", frozenset()).is_article()


def test_a_section_start_url_is_still_read_as_a_listing(tmp_path: Path) -> None:
    """A start URL that does not look like an article (a section's path) is a listing page,
    as before: its articles are read."""
    section = "https://ekonomi.arusdaerah.id/"
    result, asked = crawl(ANYSITE, tmp_path / "out", start_urls=section)
    assert result.returncode == 0, result.log[-3000:]
    listed = set(NOTES["sections"][section])
    assert listed <= set(asked)
    assert published_items(tmp_path / "out", "news/arusdaerah.id")


# -- an article without a date --------------------------------------------------------------------

UNDATED_URL = "https://www.arusdaerah.id/berita/kabar-tanpa-tanggal-dari-desa-terpencil"
UNDATED = """<!DOCTYPE html>
<html lang="id"><head><title>Kabar Tanpa Tanggal dari Desa Terpencil</title>
<meta property="og:type" content="article">
<link rel="canonical" href="{url}">
</head><body>
<header class="site-header"><a href="https://www.arusdaerah.id/">Arusdaerah</a></header>
<main><article>
<h1>Kabar Tanpa Tanggal dari Desa Terpencil</h1>
<div class="article-body">
<p>Warga desa di lereng gunung itu menunggu jembatan baru yang dijanjikan pemerintah
daerah sejak lama.</p>
<p>Kepala desa mengatakan jalan setapak menuju pasar masih licin ketika hujan turun pada
sore hari.</p>
<p>Anak-anak sekolah harus berjalan kaki lebih jauh karena jembatan lama sudah tidak bisa
dilewati.</p>
<p>Pemerintah kabupaten berjanji meninjau lokasi itu bersama dinas pekerjaan umum dalam
waktu dekat.</p>
</div>
</article></main>
<footer class="site-footer"><p>Hak cipta Arusdaerah.</p></footer>
</body>
</html>
"""


@pytest.fixture(scope="module")
def undated_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    builder = SiteBuilder(ANYSITE, tmp_path_factory.mktemp("undated") / "site")
    builder.put(UNDATED_URL, UNDATED.format(url=UNDATED_URL))
    return builder.save()


def test_an_undated_article_is_exported_with_a_null_date(
    undated_site: Path, tmp_path: Path
) -> None:
    result, _ = crawl(undated_site, tmp_path / "out", start_urls=UNDATED_URL)
    assert result.returncode == 0, result.log[-3000:]
    [item] = published_items(tmp_path / "out", "news/arusdaerah.id")
    assert item["url"] == UNDATED_URL
    assert item["published_at"] is None
    assert item["title"] == "Kabar Tanpa Tanggal dari Desa Terpencil"
    validate(item)
    assert stat(result.log, "newscrawl/generic/undated") == 1
    assert manifest_of(tmp_path / "out")["health"]["ok"] is True


def test_an_undated_article_is_dropped_when_a_date_window_is_asked(
    undated_site: Path, tmp_path: Path
) -> None:
    result, _ = crawl(undated_site, tmp_path / "out", start_urls=UNDATED_URL, since="2025-11-20")
    assert published_items(tmp_path / "out", "news/arusdaerah.id") == []
    assert stat(result.log, "newscrawl/generic/undated") == 1
    assert stat(result.log, "newscrawl/generic/undated_dropped") == 1
    # the only article given was lost: not a healthy run
    assert result.returncode == 3, result.log[-3000:]
    manifest = manifest_of(tmp_path / "out")
    assert any("undated" in failure for failure in manifest["health"]["failures"])


# -- a run that exports nothing of what it was given ----------------------------------------------


def test_a_run_whose_only_given_article_is_lost_does_not_exit_0(tmp_path: Path) -> None:
    gone = next(iter(NOTES["faults"].values()))["gone_404"]
    result, _ = crawl(ANYSITE, tmp_path / "out", start_urls=gone)
    assert result.returncode == 3, result.log[-3000:]
    failures = manifest_of(tmp_path / "out")["health"]["failures"]
    assert any("not_found" in failure for failure in failures), failures
    assert [line for line in errors(result) if "Unhealthy run" in line]


def test_a_given_article_exported_before_is_not_fetched_and_the_run_is_healthy(
    tmp_path: Path,
) -> None:
    url = plain_articles("arusdaerah.id")[0]
    first, _ = crawl(ANYSITE, tmp_path / "out", start_urls=url)
    assert first.returncode == 0, first.log[-3000:]
    second, asked = crawl(ANYSITE, tmp_path / "out", start_urls=url)
    assert second.returncode == 0, second.log[-3000:]
    assert url not in asked
    assert stat(second.log, "newscrawl/discovery/known") == 1


# -- many URLs ------------------------------------------------------------------------------------


def many_sites(root: Path, articles: int, domains: int, shared: int = 0) -> tuple[Path, list[str]]:
    """``articles`` article pages over ``domains`` made-up sites (copies of the generated
    articles, each with its own title); every fifth URL has commas in its path. The first
    ``shared`` articles are numbered in pairs: two sites' articles share each number."""
    builder = SiteBuilder(ANYSITE, root)
    sources = plain_articles("arusdaerah.id")
    urls = []
    for n in range(articles):
        source = sources[n % len(sources)]
        domain = f"kabar{n % domains:03d}-daerah.id"
        comma = ",UB" if n % 5 == 0 else ""
        number = 70000 + n // 2 if n < shared else n
        url = f"https://www.{domain}/berita/{number}{comma}/kabar-daerah-nomor-{n}-hari-ini"
        page = builder.body(source)
        title = re.search(r"<h1[^>]*>(.*?)</h1>", page, flags=re.S)
        assert title is not None
        page = page.replace(title.group(1), f"Kabar Daerah Nomor {n} Hari Ini")
        builder.put(url, page.replace(source, url))
        urls.append(url)
    return builder.save(), urls


def test_a_urls_file_over_many_domains_fits_the_file_system_and_is_stable(tmp_path: Path) -> None:
    """150 article URLs over 120 domains, some with commas, in a file with comments and blank
    lines: every one exported, in one folder whose name fits the file system; a second run
    over the same file uses the same folder and fetches no article again. Two sites' articles
    numbered alike (16 of them, in pairs) are two articles: the state keeps each by its site
    and id."""
    root, urls = many_sites(tmp_path / "site", 150, 120, shared=16)
    listing = tmp_path / "urls.txt"
    lines = ["# articles of the week", ""] + [f"  {url}  " for url in urls] + ["", "# end"]
    listing.write_text("\n".join(lines) + "\n", "utf-8")
    output = tmp_path / "out"
    settings = {"CONCURRENT_REQUESTS": "32"}
    first, _ = crawl(root, output, settings, urls_file=str(listing))
    assert first.returncode == 0, first.log[-3000:]
    [folder] = run_folders(output)
    assert len(folder.name.encode()) < 255
    assert folder.name.startswith("kabar000-daerah.id+119-more-"), folder.name
    items = published_items(output, f"news/{folder.name}")
    assert sorted(item["url"] for item in items) == sorted(urls)
    assert sum("," in item["url"] for item in items) == 30
    second, asked = crawl(root, output, settings, urls_file=str(listing))
    assert second.returncode == 0, second.log[-3000:]
    assert run_folders(output) == [folder]
    assert not [url for url in asked if not url.endswith("/robots.txt")]
    assert stat(second.log, "newscrawl/discovery/known") == 150


def test_a_state_kept_by_id_alone_is_keyed_by_site_and_nothing_is_exported_again(
    tmp_path: Path,
) -> None:
    """A ``news`` state of an earlier newscrawl (schema 1: articles and committed feeds by id
    alone, one of two sites' articles numbered alike lost) is keyed by site and id as the next
    run opens it, with a WARNING: that run fetches none of the articles it had exported, and
    fetches and exports the two it had lost."""
    root, urls = many_sites(tmp_path / "site", 12, 6, shared=4)
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(urls) + "\n", "utf-8")
    output = tmp_path / "out"
    first, _ = crawl(root, output, urls_file=str(listing))
    assert first.returncode == 0, first.log[-3000:]
    [folder] = run_folders(output)
    path = folder / "state.sqlite3"
    with sqlite3.connect(path) as db:  # as an earlier newscrawl kept it
        ids = db.execute("SELECT article_id FROM articles").fetchall()
        assert len(ids) == 12 and all("/" in key for (key,) in ids)
        # of two sites' articles numbered alike, an earlier newscrawl kept one
        losers = ("kabar001-daerah.id/70000", "kabar003-daerah.id/70001")
        db.executemany("DELETE FROM articles WHERE article_id = ?", [(key,) for key in losers])
        db.execute(
            "UPDATE articles SET article_id = substr(article_id, instr(article_id, '/') + 1)"
        )
        feeds = db.execute("SELECT feed, article_ids FROM feeds").fetchall()
        for feed, keys in feeds:
            bare = [key.split("/", 1)[1] for key in json.loads(keys) if key not in losers]
            db.execute("UPDATE feeds SET article_ids = ? WHERE feed = ?", (json.dumps(bare), feed))
        db.execute("UPDATE meta SET value = '1' WHERE key = 'schema'")
    second, asked = crawl(root, output, urls_file=str(listing))
    assert second.returncode == 0, second.log[-3000:]
    assert "keyed its" in second.log and "by site and id" in second.log
    lost = [urls[1], urls[3]]  # one of each pair was dropped as the other's, before
    assert stat(second.log, "newscrawl/export/written") == 2
    assert stat(second.log, "newscrawl/discovery/known") == 10
    assert sorted(url for url in asked if not url.endswith("/robots.txt")) == sorted(lost)


def test_start_urls_with_commas(tmp_path: Path) -> None:
    """``start_urls`` is split only at a comma followed by ``http``: URLs with commas work."""
    root, urls = many_sites(tmp_path / "site", 6, 2)
    with_commas = [url for url in urls if "," in url]
    assert len(with_commas) == 2
    result, asked = crawl(root, tmp_path / "out", start_urls=",".join(with_commas))
    assert result.returncode == 0, result.log[-3000:]
    assert set(with_commas) <= set(asked)
    items = [item for folder in run_folders(tmp_path / "out")
             for item in published_items(tmp_path / "out", f"news/{folder.name}")]  # fmt: skip
    assert sorted(item["url"] for item in items) == sorted(with_commas)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("https://www.arusdaerah.id/berita/satu-dua-tiga\nwww.arusdaerah.id/x\n", "line 2"),
        ("# nothing\n\n", "lists no URL"),
        ("https://www.arusdaerah.id/a-b-c\nftp://x.id/a\n", "line 2"),
    ],
)
def test_a_bad_urls_file_is_refused_before_any_request(
    tmp_path: Path, content: str, message: str
) -> None:
    listing = tmp_path / "urls.txt"
    listing.write_text(content, "utf-8")
    output = tmp_path / "out"
    output.mkdir()
    with ReplayProxy(ANYSITE, lifetime=60) as proxy:
        result = run_crawl(
            "news",
            {"urls_file": str(listing)},
            output_dir=output,
            proxy_env=proxy.env(),
            feed=tmp_path / "feed.jsonl",
        )
        assert_refused(result, proxy.urls(), output, message)


def test_a_missing_urls_file_is_refused(tmp_path: Path) -> None:
    output = tmp_path / "out"
    output.mkdir()
    with ReplayProxy(ANYSITE, lifetime=60) as proxy:
        result = run_crawl(
            "news",
            {"urls_file": str(tmp_path / "nowhere.txt")},
            output_dir=output,
            proxy_env=proxy.env(),
            feed=tmp_path / "feed.jsonl",
        )
        assert_refused(result, proxy.urls(), output, "nowhere.txt")


# -- whole pages that end without </html> ---------------------------------------------------------


def test_a_whole_page_without_its_end_tag_is_exported_after_one_retry(tmp_path: Path) -> None:
    """A page that ends without ``</html>`` (as two real sites' do) and that a retry returns
    byte for byte is whole: exported after one retry."""
    url = plain_articles("arusdaerah.id")[0]
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    page = builder.body(url)
    assert page.rstrip().endswith("</html>")
    builder.put(url, page.rstrip().removesuffix("</html>"))
    result, asked = crawl(builder.save(), tmp_path / "out", start_urls=url)
    assert result.returncode == 0, result.log[-3000:]
    assert asked.count(url) == 2
    assert_contract_items("anysite", published_items(tmp_path / "out", "news/arusdaerah.id"), {url})
    assert stat(result.log, "retry/reason_count/truncated") == 1
    assert stat(result.log, "newscrawl/fetch/whole_without_end") == 1
    assert stat(result.log, "newscrawl/skipped/start_truncated") == 0
    # the retry carries its try count, not the first try's download (Scrapy's metacopy check)
    assert " WARNING: " not in result.log, result.log[-3000:]


@pytest.mark.parametrize(
    "faults",
    [["cut_html"] * 3, ["cut_html", "cut_gzip", "cut_html"]],
    ids=["the same cut every try", "every try differs"],
)
def test_a_page_really_cut_short_is_still_skipped_as_truncated(
    tmp_path: Path, faults: list[str]
) -> None:
    url = plain_articles("arusdaerah.id")[0]
    result, asked = crawl(ANYSITE, tmp_path / "out", faults={url: faults}, start_urls=url)
    assert asked.count(url) == 3
    assert stat(result.log, "newscrawl/skipped/start_truncated") == 1
    assert stat(result.log, "newscrawl/fetch/whole_without_end") == 0
    assert published_items(tmp_path / "out", "news/arusdaerah.id") == []
    assert result.returncode == 3  # the only article given was lost


def test_a_page_cut_once_is_read_whole_on_its_retry(tmp_path: Path) -> None:
    url = plain_articles("arusdaerah.id")[0]
    result, asked = crawl(ANYSITE, tmp_path / "out", faults={url: ["cut_html"]}, start_urls=url)
    assert result.returncode == 0, result.log[-3000:]
    assert asked.count(url) == 2
    assert_contract_items("anysite", published_items(tmp_path / "out", "news/arusdaerah.id"), {url})
    assert stat(result.log, "newscrawl/fetch/whole_without_end") == 0


# -- times as pages give them -------------------------------------------------------------------

DATED = UNDATED.replace(
    '<meta property="og:type" content="article">',
    '<meta property="og:type" content="article">\n'
    '<script type="application/ld+json">{{"@type": "NewsArticle", "datePublished": "{date}"}}'
    "</script>",
).replace("Kabar Tanpa Tanggal dari Desa Terpencil", "{title}")


@pytest.mark.parametrize(
    ("date", "since", "instant"),
    [
        ("2025-11-20T09:15:00+01:00", None, "2025-11-20T08:15:00+00:00"),
        ("2025-11-20T20:00:00-05:00", "2025-11-21", "2025-11-21T01:00:00+00:00"),
        ("2025-11-20", "2025-11-20", None),
    ],
    ids=["own offset", "own offset, next WIB day", "a date alone"],
)
def test_a_time_in_the_pages_own_form_is_exported(
    tmp_path: Path, date: str, since: str | None, instant: str | None
) -> None:
    """A page's own offset (or a date alone) is no invalid time for ``news``: the article is
    exported, and ``since`` places its time in WIB."""
    from datetime import datetime

    url = "https://www.arusdaerah.id/berita/kabar-desa-dengan-jam-setempat-hari-ini"
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    title = "Kabar Desa dengan Jam Setempat"
    builder.put(url, DATED.format(url=url, date=date, title=title))
    args = {"start_urls": url, **({"since": since} if since else {})}
    result, _ = crawl(builder.save(), tmp_path / "out", **args)
    assert result.returncode == 0, result.log[-3000:]
    [item] = published_items(tmp_path / "out", "news/arusdaerah.id")
    validate(item)
    assert stat(result.log, "newscrawl/validation/invalid_published_at") == 0
    if instant is None:
        assert item["published_at"] == date
    else:
        assert datetime.fromisoformat(item["published_at"]) == datetime.fromisoformat(instant)


# -- articles named by their query ----------------------------------------------------------------

QUERY_NAMED = "https://www.arusdaerah.id/baca.php?id={n}"
QUERY_NAMED_PAGE = """<!DOCTYPE html>
<html lang="id"><head><title>{title}</title>
<meta property="og:type" content="article">
<meta property="article:published_time" content="2025-11-20T08:00:00+07:00">
<link rel="canonical" href="{url}">
</head><body>
<main><article>
<h1>{title}</h1>
<div class="article-body">
<p>{place} menunggu jembatan baru yang dijanjikan pemerintah daerah sejak lama.</p>
<p>Kepala desa mengatakan jalan setapak menuju pasar masih licin ketika hujan turun pada
sore hari.</p>
<p>Anak-anak sekolah harus berjalan kaki lebih jauh karena jembatan lama sudah tidak bisa
dilewati.</p>
</div>
</article></main>
</body>
</html>
"""


def test_articles_named_only_by_their_query_are_exported_apart(tmp_path: Path) -> None:
    """``baca.php?id=101`` and ``?id=102`` are two articles whose path names neither: each
    is exported, its URL keeping the query's identity parameter (tracking parameters go), and
    each item passes the run-time schema (it dropped both as invalid URLs)."""
    builder = SiteBuilder(ANYSITE, tmp_path / "site")
    given = []
    for n, place in ((101, "Warga desa Sukamaju"), (102, "Petani di lembah Cikaso")):
        url = QUERY_NAMED.format(n=n)
        title = f"Jembatan Baru untuk {place}"
        builder.put(url, QUERY_NAMED_PAGE.format(url=url, title=title, place=place))
        given.append(url)
    result, _ = crawl(
        builder.save(), tmp_path / "out", start_urls=f"{given[0]},{given[1]}&utm_source=feed"
    )
    assert result.returncode == 0, result.log[-3000:]
    items = published_items(tmp_path / "out", "news/arusdaerah.id")
    assert sorted(item["url"] for item in items) == given
    assert len({item["article_id"] for item in items}) == 2
    for item in items:
        validate(item)
    assert "Dropped" not in result.log


def test_two_given_sites_articles_numbered_alike_are_told_apart() -> None:
    """Two given articles of two sites that number them alike: what became of each is its
    own (one exported, the other a duplicate), not the other's."""
    counted: list[str] = []
    given = GivenArticles(counted.append)
    first = ArticleItem(article_id="70001", site="a.id", url="https://a.id/berita/70001/x")
    second = ArticleItem(article_id="70001", site="b.id", url="https://b.id/berita/70001/y")
    for item in (first, second):
        given.requested(str(item.url))
        given.item_of(item, str(item.url))
    given.item_scraped(first)
    given.item_dropped(second, Duplicate("already exported"))
    assert counted == ["given/requested", "given/requested", "given/exported", "given/duplicate"]
