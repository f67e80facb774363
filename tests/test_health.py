"""Health checks: pure functions of a run's stats."""

from __future__ import annotations

from newscrawl.health import Thresholds, check, check_sites

T = Thresholds(max_missing_share=0.2, min_article_pages=3)


def kinds(stats: dict[str, int], reason: str = "finished") -> list[str]:
    return [failure.kind for failure in check(stats, reason, T)]


def test_a_healthy_run_and_an_empty_day() -> None:
    ok = {"newscrawl/health/article_pages": 10, "newscrawl/layout/x": 10,
          "downloader/request_count": 12, "downloader/response_status_count/200": 12}  # fmt: skip
    assert kinds(ok) == []
    assert kinds({}) == []


def test_nothing_parsed_is_drift_once_enough_pages_were_seen() -> None:
    stats = {"newscrawl/health/article_pages": 5, "newscrawl/health/missing_title": 5,
             "newscrawl/health/missing_body": 5, "downloader/request_count": 6,
             "downloader/response_status_count/200": 6}  # fmt: skip
    [failure] = check(stats, "finished", T)
    assert failure.kind == "markup" and "title" in failure.message and "body" in failure.message
    one_video_page = {**stats, "newscrawl/health/article_pages": 1}
    assert kinds(one_video_page) == []


def test_a_share_of_pages_missing_a_field_is_drift() -> None:
    stats = {"newscrawl/health/article_pages": 10, "newscrawl/layout/x": 8,
             "newscrawl/health/missing_published_at": 2, "downloader/request_count": 11,
             "downloader/response_status_count/200": 11}  # fmt: skip
    [failure] = check(stats, "finished", T)
    assert "published_at on 2 of 10 (20%)" in failure.message
    assert kinds({**stats, "newscrawl/health/missing_published_at": 1}) == []


def test_only_errors_and_unfinished_runs() -> None:
    assert kinds({"downloader/request_count": 3, "robotstxt/request_count": 1}) == ["fetch"]
    robots_only = {"downloader/request_count": 1, "robotstxt/request_count": 1}
    assert kinds(robots_only) == []
    browser = {"downloader/request_count": 2, "newscrawl/browser/passed": 1}
    assert kinds(browser) == []
    assert kinds({}, reason="shutdown") == ["finish"]


def test_items_dropped_for_insane_values_count_like_missing_fields() -> None:
    stats = {"newscrawl/health/article_pages": 10, "newscrawl/layout/x": 10,
             "newscrawl/validation/invalid_published_at": 2, "downloader/request_count": 11,
             "downloader/response_status_count/200": 11}  # fmt: skip
    [failure] = check(stats, "finished", T)
    assert failure.kind == "markup"
    assert "published_at on 2 of 10 (20%, 2 invalid)" in failure.message
    mixed = {**stats, "newscrawl/validation/invalid_published_at": 1,
             "newscrawl/health/missing_published_at": 1}  # fmt: skip
    assert kinds(mixed) == ["markup"]
    optional = {**stats, "newscrawl/validation/invalid_published_at": 0,
                "newscrawl/validation/invalid_updated_at": 3}  # fmt: skip
    [failure] = check(optional, "finished", T)
    assert "updated_at on 3 of 10 (30%, 3 invalid)" in failure.message
    assert kinds({**stats, "newscrawl/validation/invalid_published_at": 1}) == []


def test_every_listing_callback_raising_is_unhealthy() -> None:
    stats = {"downloader/request_count": 3, "downloader/response_status_count/200": 3,
             "newscrawl/health/callbacks/listing": 2,
             "newscrawl/health/callback_errors/listing": 2,
             "newscrawl/skipped/spider_error": 2, "spider_exceptions/count": 2,
             "spider_exceptions/DatabaseError": 2}  # fmt: skip
    [failure] = check(stats, "finished", T)
    assert failure.kind == "callbacks"
    assert "every listing page's callback raised (2) (DatabaseError x2)" in failure.message
    one_of_three = {**stats, "newscrawl/health/callbacks/listing": 3}
    assert kinds(one_of_three) == []


def test_a_share_of_article_callbacks_raising_is_unhealthy() -> None:
    stats = {"downloader/request_count": 12, "downloader/response_status_count/200": 12,
             "newscrawl/health/callbacks/listing": 1, "newscrawl/health/callbacks/article": 10,
             "newscrawl/health/callback_errors/article": 2,
             "spider_exceptions/ValueError": 2}  # fmt: skip
    [failure] = check(stats, "finished", T)
    assert "the callbacks of 2 of 10 article pages raised (ValueError x2)" in failure.message
    assert kinds({**stats, "newscrawl/health/callback_errors/article": 1}) == []
    few = {**stats, "newscrawl/health/callbacks/article": 2}
    assert kinds(few) == []


def per_site(stats: dict[str, int]) -> dict[str, list[str]]:
    from newscrawl.health import check_sites

    return {site: [f.kind for f in found] for site, found in check_sites(stats, T).items()}


def test_each_site_is_judged_on_its_own_stats() -> None:
    """One site's pages lack titles: that site fails ``markup``; the other is healthy. The
    run's own checks, judged site by site, leave markup to the sites (judged whole, the run
    fails it: every site's articles would be withheld)."""
    healthy = {
        "newscrawl/sites/a.id/health/article_pages": 10,
        "newscrawl/sites/a.id/layout/generic": 10,
        "newscrawl/sites/a.id/fetch/requests": 11,
        "newscrawl/sites/a.id/fetch/ok": 11,
    }
    sick = {
        "newscrawl/sites/b.id/health/article_pages": 6,
        "newscrawl/sites/b.id/layout/generic": 6,
        "newscrawl/sites/b.id/health/missing_title": 4,
        "newscrawl/sites/b.id/fetch/requests": 6,
        "newscrawl/sites/b.id/fetch/ok": 6,
    }
    whole = {"newscrawl/health/article_pages": 16, "newscrawl/layout/generic": 16,
             "newscrawl/health/missing_title": 4, "downloader/request_count": 17,
             "downloader/response_status_count/200": 17}  # fmt: skip
    stats = {**healthy, **sick, **whole}
    assert per_site(stats) == {"b.id": ["markup"]}
    from newscrawl.health import check, check_sites

    [failure] = check_sites(stats, T)["b.id"]
    assert "title on 4 of 6 (67%)" in failure.message
    assert check(stats, "finished", T, per_site=True) == []
    assert [f.kind for f in check(stats, "finished", T)] == ["markup"]  # judged whole


def test_a_site_whose_every_request_failed_is_unhealthy() -> None:
    stats = {
        "newscrawl/sites/a.id/fetch/requests": 3,
        "newscrawl/sites/b.id/fetch/requests": 2,
        "newscrawl/sites/b.id/fetch/ok": 1,
        "newscrawl/sites/c.id/health/callbacks/listing": 2,
        "newscrawl/sites/c.id/health/callback_errors/listing": 2,
        "newscrawl/sites/c.id/fetch/requests": 2,
        "newscrawl/sites/c.id/fetch/ok": 2,
    }
    assert per_site(stats) == {"a.id": ["fetch"], "c.id": ["callbacks"]}


def test_a_run_that_exported_none_of_the_articles_given_is_unhealthy() -> None:
    from newscrawl.health import check

    def given(**counts: int) -> list[str]:
        stats = {f"newscrawl/given/{k.replace('__', '/')}": v for k, v in counts.items()}
        return [f.message for f in check(stats, "finished", T, per_site=True)]

    assert given() == []  # listing pages only: nothing given, nothing owed
    [message] = given(requested=1, failed__start_not_found=1)
    assert "none of the 1 article(s) given was exported (start_not_found 1)" in message
    [message] = given(requested=3, failed__undated=1, failed__dropped=1)
    assert "(dropped 1, undated 1, unfinished 1)" in message
    assert given(requested=3, failed__dropped=2, exported=1) == []
    assert given(requested=1, duplicate=1) == []  # exported before: in the feeds
    assert given(requested=1, filtered=1) == []  # outside since/until, as asked
    assert given(requested=1, feed=1) == []  # a sitemap, read as one
    [message] = given(requested=2, feed=1, failed__start_not_article=1)
    assert "none of the 1 article(s) given" in message


def test_a_run_stopped_by_max_articles_is_healthy() -> None:
    ok = {"newscrawl/health/article_pages": 5, "newscrawl/layout/x": 5,
          "downloader/request_count": 9, "downloader/response_status_count/200": 9}  # fmt: skip
    assert kinds(ok, reason="max_articles") == []
    assert kinds(ok, reason="closespider_itemcount") == ["finish"]
    given = {"newscrawl/given/requested": 2, "newscrawl/given/over_limit": 1}
    assert check(given, "finished", T, per_site=True) == []  # left for a later run
    unfinished = {"newscrawl/given/requested": 2}  # the bound came before them
    assert check(unfinished, "max_articles", T, per_site=True) == []
    assert [f.kind for f in check(unfinished, "finished", T, per_site=True)] == ["given"]


def test_a_run_whose_every_request_failed_says_how() -> None:
    from newscrawl.health import network_down

    errors = "downloader/exception_type_count/"
    dns = {"downloader/request_count": 6, "robotstxt/request_count": 1,
           f"{errors}scrapy.exceptions.CannotResolveHostError": 6}  # fmt: skip
    [failure] = check(dns, "finished", T)
    assert failure.message == "all 5 requests failed (DNS lookup failed x6); no network?"
    assert network_down(dns) == "no network? (DNS lookup failed x6)"
    refused = {"downloader/request_count": 3,
               f"{errors}scrapy.exceptions.DownloadConnectionRefusedError": 3}  # fmt: skip
    assert network_down(refused) == (
        "no network, or the proxy (http_proxy/https_proxy) is down? (connection refused x3)"
    )
    timeouts = {"downloader/request_count": 2,
                f"{errors}twisted.internet.error.TCPTimedOutError": 1,
                f"{errors}scrapy.exceptions.DownloadTimeoutError": 1}  # fmt: skip
    assert network_down(timeouts) == "no network, or is the site down? (timed out x2)"
    gone = {"downloader/request_count": 1, "downloader/response_status_count/404": 1}
    [failure] = check(gone, "finished", T)
    assert failure.message == "all 1 requests failed (HTTP 404 x1); is the site reachable?"
    assert network_down(gone) is None, "the site answered: the network is there"
    some = {**dns, "downloader/response_status_count/503": 2}
    assert network_down(some) is None


def blocked_run(read: int, blocked: int, gone: int = 0) -> dict[str, int]:
    """A run whose listing pages answered, with article pages read, blocked and gone."""
    pages = 1 + read + blocked + gone
    return {"downloader/request_count": pages, "downloader/response_status_count/200": 1 + read,
            "downloader/response_status_count/403": blocked,
            "downloader/response_status_count/404": gone,
            "newscrawl/health/article_pages": read, "newscrawl/layout/x": read,
            "newscrawl/skipped/blocked": blocked, "newscrawl/skipped/not_found": gone}  # fmt: skip


def test_a_run_whose_article_pages_are_mostly_blocked_is_unhealthy() -> None:
    """At least half of the article pages that answered, and at least five, blocked or gone."""
    assert T.max_blocked_share == 0.5 and T.min_blocked_pages == 5
    [failure] = check(blocked_run(read=5, blocked=5), "finished", T)  # at the threshold
    assert failure.kind == "blocked"
    assert failure.message == (
        "5 of 10 article pages (50%) were blocked (5) or gone (0), threshold 50%; has the site "
        "blocked this crawler (its user agent, its address; a JavaScript check passes with "
        "browser=fallback)?"
    )
    assert kinds(blocked_run(read=6, blocked=5)) == []  # under the share: 5 of 11
    assert kinds(blocked_run(read=0, blocked=40)) == ["blocked"]  # every one: over
    assert kinds(blocked_run(read=38, blocked=3, gone=1)) == []  # the reference days
    assert kinds(blocked_run(read=0, blocked=0)) == []  # no article page: an empty day
    assert kinds(blocked_run(read=0, blocked=4)) == []  # under the count: 4 of 4
    # a run that only asks again for the pages that failed an hour ago (test_bad_days)
    assert kinds(blocked_run(read=1, blocked=3, gone=1)) == []


def test_article_pages_gone_count_with_the_blocked_ones() -> None:
    [failure] = check(blocked_run(read=2, blocked=1, gone=6), "finished", T)
    assert failure.kind == "blocked"
    assert "7 of 9 article pages (78%) were blocked (1) or gone (6)" in failure.message
    assert failure.message.endswith("have the article URLs changed?")
    assert kinds(blocked_run(read=7, blocked=1, gone=6)) == ["blocked"]  # 7 of 14: half
    assert kinds(blocked_run(read=8, blocked=1, gone=6)) == []  # 7 of 15


def test_listing_pages_blocked_are_not_article_pages() -> None:
    stats = {**blocked_run(read=0, blocked=0), "newscrawl/skipped/index_blocked": 6,
             "newscrawl/skipped/start_blocked": 6}  # fmt: skip
    assert kinds(stats) == []


def test_blocked_thresholds_and_a_run_judged_site_by_site() -> None:
    from scrapy.settings import Settings

    from newscrawl.health import Thresholds

    assert Thresholds.from_settings(Settings()) == Thresholds()
    settings = {"NEWSCRAWL_HEALTH_MAX_BLOCKED_SHARE": "0.2",
                "NEWSCRAWL_HEALTH_MIN_BLOCKED_PAGES": "1",
                "NEWSCRAWL_HEALTH_MAX_MISSING_SHARE": "0.3",
                "NEWSCRAWL_HEALTH_MIN_ARTICLE_PAGES": "4",
                "NEWSCRAWL_HEALTH_MIN_SITE_MISSING_PAGES": "1"}  # fmt: skip
    strict = Thresholds.from_settings(Settings(settings))
    assert strict == Thresholds(0.3, 4, 0.2, 1, 1)
    stats = blocked_run(read=4, blocked=1)
    assert kinds(stats) == []
    [failure] = check(stats, "finished", strict)
    assert "1 of 5 article pages (20%)" in failure.message and "threshold 20%" in failure.message
    # a news run: the skips are counted for the whole run, so it is judged whole
    assert [f.kind for f in check(blocked_run(0, 6), "finished", T, per_site=True)] == ["blocked"]


def test_one_odd_page_of_a_site_judged_on_its_own_withholds_nothing() -> None:
    """Judged site by site (``crawl news``), one page of three without a title is not a
    changed markup (it is, judged whole: a site spider's run); two of six are."""
    site = {
        "newscrawl/sites/a.id/health/article_pages": 3,
        "newscrawl/sites/a.id/layout/generic": 3,
        "newscrawl/sites/a.id/health/missing_title": 1,
        "newscrawl/sites/a.id/fetch/requests": 3,
        "newscrawl/sites/a.id/fetch/ok": 3,
    }
    assert per_site(site) == {}
    whole = {"newscrawl/health/article_pages": 3, "newscrawl/layout/bisnis_v1": 3,
             "newscrawl/health/missing_title": 1}  # fmt: skip
    assert [f.kind for f in check(whole, "finished", T)] == ["markup"]
    two = {**site, "newscrawl/sites/a.id/health/article_pages": 6,
           "newscrawl/sites/a.id/health/missing_title": 2}  # fmt: skip
    assert per_site(two) == {"a.id": ["markup"]}
    lax = Thresholds(min_site_missing_pages=3)
    assert check_sites(two, lax) == {}
