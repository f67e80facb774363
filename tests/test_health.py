"""Health checks: pure functions of a run's stats."""

from __future__ import annotations

from newscrawl.health import Thresholds, check

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
