"""Scrapy settings of newscrawl. Every value here is one we chose; see docs/reference.md."""

import os
from pathlib import Path

from scrapy.settings import default_settings

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
#: One spider per site module (``newscrawl/sites/<slug>.py``): see newscrawl/spiderloader.py.
SPIDER_LOADER_CLASS = "newscrawl.spiderloader.SiteSpiderLoader"
#: Where site modules are found (a package: each of its modules).
NEWSCRAWL_SITE_MODULES = ["newscrawl.sites"]
COMMANDS_MODULE = "newscrawl.commands"

# --- politeness -------------------------------------------------------------------------------
#: Where site owners can read who we are: the User-Agent is `newscrawl/0.1 (+<this URL>)`. Set
#: it here, with -s, or in the environment variable of the same name; USER_AGENT follows it as
#: each crawler starts (newscrawl.extensions.user_agent), unless USER_AGENT is set otherwise.
NEWSCRAWL_CONTACT_URL = (
    os.environ.get("NEWSCRAWL_CONTACT_URL") or "https://github.com/newscrawl/newscrawl"
).strip()
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
#: Scrapy starts this many asyncio workers for each callback's output; ours yield a handful.
CONCURRENT_ITEMS = 8
#: Scrapy reads each callback's source (inspect + ast) to warn of a generator returning a
#: value, again for every response (its cache is keyed by the bound method): ~0.1 ms a page.
#: mypy --strict (make test) rejects such a return in our Iterator-typed callbacks already.
WARN_ON_GENERATOR_RETURN_VALUE = False
CONCURRENT_REQUESTS_PER_DOMAIN = 4
#: One priority order over every host (Scrapy's default orders requests within each host's
#: queue only): a backfill's days are served in order, a day's index pages, then its articles,
#: then the next day (newscrawl.days.day_priority), so its memory stays flat.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.ScrapyPriorityQueue"
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
#: A page is never loaded whole past this size (skipped as too_large); a warning from 4 MB.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
RETRY_ENABLED = True
#: 2 retries after the first try (Scrapy's default), on its default codes (500, 502, 503, 504,
#: 522, 524, 408, 429) and transport errors; the spiders retry a corrupt compressed body too.
RETRY_TIMES = 2
#: What a spider's own retry of a damaged page (a cut or corrupt body) carries on, as Scrapy's
#: retries do: its try count and redirects (what the try's download left, it drops). Scrapy's
#: metacopy check warns of any other internal key a spider's request copies.
META_COPY_WARN_SKIP_KEYS = [
    "retry_times", "redirect_urls", "redirect_times", "redirect_ttl", "redirect_reasons",
]  # fmt: skip
COOKIES_ENABLED = True

# --- our pipeline -----------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.BoilerplatePipeline": 100,
    "newscrawl.pipelines.ValidationPipeline": 200,
    "newscrawl.pipelines.DedupPipeline": 300,
    "newscrawl.pipelines.ExportPipeline": 400,
}
#: The validation pipeline drops an item with a longer body (``validation/invalid_body``).
NEWSCRAWL_MAX_BODY_CHARS = 1_000_000
#: Before Scrapy's FeedExporter (0): the run report decides whether -o/-O feeds may be delivered.
#: The Telnet console and the remote control are off (TELNETCONSOLE_ENABLED, REMOTE_CONTROL_ENABLED
#: below) and not even loaded: Scrapy imports every class named in EXTENSIONS_BASE, even one set
#: to None, and theirs (Twisted Conch, aiohttp) cost every run a tenth of a second.
EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name.rsplit(".", 1)[-1] not in {"TelnetConsole", "RemoteControl"}
}
EXTENSIONS = {"newscrawl.extensions.RunReport": -10, "newscrawl.progress.CrawlProgress": 0}
FEED_STORAGES = {
    "": "newscrawl.feeds.GuardedFileFeedStorage",
    "file": "newscrawl.feeds.GuardedFileFeedStorage",
}

#: Feeds and state live here (``<dir>/<spider>/...``); relative paths are from the cwd. In a
#: checkout (a scrapy.cfg beside the package) its output/ folder; for an installed package
#: (site-packages) "output" in the current folder: set it (docs/python.md).
_checkout = Path(__file__).resolve().parent.parent
NEWSCRAWL_OUTPUT_DIR = (
    str(_checkout / "output") if (_checkout / "scrapy.cfg").is_file() else "output"
)
#: Set by `scrapy crawl` only: a crawl opens a run (lock, state, feed, manifest); Scrapy's tools
#: (`scrapy shell`, `fetch`, `parse`) do not, so they never touch them.
NEWSCRAWL_RUN_ENABLED = False
#: The state backend (see newscrawl/state.py).
NEWSCRAWL_STATE_CLASS = "newscrawl.state.SQLiteState"

#: A run without dates covers yesterday and today, and each earlier day back to this many days
#: before today whose index was not yet paged to its end after the day was over.
NEWSCRAWL_CATCHUP_DAYS = 3
#: No index (one day, one channel) is paged further than this (an index that shows no page count
#: is paged until a page lists no article).
NEWSCRAWL_MAX_INDEX_PAGES = 100
#: Days are planned as the crawl advances: the next day's index only when fewer days than this
#: wait for their first index page, and fewer requests than NEWSCRAWL_BACKLOG wait in the
#: scheduler (a year's backfill then holds about as much as a day's crawl).
NEWSCRAWL_DAYS_AHEAD = 2
#: A run's feed holding this many articles is published and another opened, so a long
#: backfill keeps nothing of what it exported in memory (0: one feed a run).
NEWSCRAWL_FEED_MAX_ARTICLES = 5000
NEWSCRAWL_BACKLOG = 200
#: `scrapy crawl news`: levels of listing pages below a start URL read for article links.
NEWSCRAWL_LISTING_DEPTH = 1
#: `scrapy crawl news`: levels of sitemaps below a start URL that are read (a sitemap index's
#: sitemaps are one level below it); further ones are counted (discovery/sitemaps_too_deep).
NEWSCRAWL_SITEMAP_DEPTH = 3
#: `scrapy crawl news`: sitemaps named by sitemap indexes that a run reads at most; further ones
#: are counted (discovery/sitemaps_over_cap).
NEWSCRAWL_MAX_SITEMAPS = 500
#: `scrapy crawl news`: an article split over more pages than this (with no whole-text view) is
#: skipped as too_many_pages, never exported half-joined.
NEWSCRAWL_MAX_ARTICLE_PAGES = 50
#: `scrapy crawl news`: a site's first articles are held back until this many were read, so that
#: promo lines learned by their recurrence are left out of them too.
NEWSCRAWL_LEARN_WARMUP = 10
#: Worker processes reading article pages, so the crawl's own process keeps to the network
#: (0: read in-process). "auto", on a machine with a second core: two for `scrapy crawl news`
#: (its workers, however many, start as the spider opens and run 5 nicer than the crawl's
#: process; a site crawl's given number starts as it opens too); for a site crawl
#: (`scrapy crawl <slug>`, whose cheaper pages gain from a worker only in a long crawl) and an
#: archive run, one once NEWSCRAWL_READ_WORKER_AFTER pages were read in the crawl's process;
#: none on one core. A number is obeyed.
NEWSCRAWL_READ_WORKERS = "auto"
#: ... the site pages a crawl reads in its own process before "auto" starts its worker.
NEWSCRAWL_READ_WORKER_AFTER = 200
#: Archive runs (`-a warc=`, `-a ccnews=`): the WARC reader of local files, "fastwarc", "warcio"
#: or "auto" (FastWARC when installed); one not known or not installed fails the run (exit 3).
#: Archives fetched over HTTP are read by warcio as they download.
NEWSCRAWL_WARC_READER = "auto"
#: Update the analysts' dataset (newscrawl/dataset.py, `make dataset`) after each published run.
NEWSCRAWL_DATASET_AFTER_RUN = False
#: Write output/report.html (newscrawl/report.py, `make report`) after each run.
NEWSCRAWL_REPORT_AFTER_RUN = False
#: A run logs one progress line (days, index pages, articles, rate, time left) this often, in
#: seconds; 0 turns it off.
NEWSCRAWL_PROGRESS_INTERVAL = 60
#: A tqdm progress bar: "auto" (when standard error is a terminal), "never", "always".
NEWSCRAWL_PROGRESS_BAR = "auto"
#: Articles that failed so are not fetched again for this many hours (others: next run).
NEWSCRAWL_RETRY_AFTER_HOURS = {
    "not_found": 24,
    "blocked": 1,
    "too_large": 24,
    "too_many_pages": 24,
    "duplicate": 8760,
}
FEED_EXPORT_ENCODING = "utf-8"

# --- health checks (newscrawl/health.py): an unhealthy run exits with status 3 -------------------
#: Fail when at least this share of parsed article pages lacks a title, body or date.
NEWSCRAWL_HEALTH_MAX_MISSING_SHARE = 0.2
#: ... counted only once this many article pages were parsed.
NEWSCRAWL_HEALTH_MIN_ARTICLE_PAGES = 3
#: ... and, for a site of `crawl news` judged on its own, once this many pages lack it.
NEWSCRAWL_HEALTH_MIN_SITE_MISSING_PAGES = 2
#: Fail when at least this share of the article pages that answered were blocked (401/403, a
#: challenge) or gone (404/410)...
NEWSCRAWL_HEALTH_MAX_BLOCKED_SHARE = 0.5
#: ... and they are at least this many.
NEWSCRAWL_HEALTH_MIN_BLOCKED_PAGES = 5

# --- modes, each switched on by its add-on (newscrawl/addons.py; docs/internals.md) -----------
ADDONS = {
    # Chromium only for pages behind a JavaScript check: scrapy-playwright's handler (lazy),
    # its settings and BrowserFallbackMiddleware (690); every crawl and tool, started on need
    "newscrawl.addons.BrowserFallback": 100,
    # several machines on one Redis (NEWSCRAWL_REDIS_URL), `scrapy crawl` only: the Frontier
    # scheduler, SeedOncePerTick (spider middleware, 10), SharedRateMiddleware (900)
    "newscrawl.addons.DistributedMode": 200,
    # a crawl of web archives downloads nothing through Scrapy: no retry middleware
    "newscrawl.addons.ArchiveRun": 300,
}

# --- downloader middlewares -------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # every request to the site's hosts only, whatever its flags (replaces Scrapy's offsite)
    "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
    "newscrawl.middlewares.SiteScopeMiddleware": 50,
    # Scrapy's, with every request that waits for a host's robots.txt checked against it
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "newscrawl.middlewares.RobotsTxtMiddleware": 100,
    # Retry-After and 429 runs per host, hosts that time out: answers seen before RetryMiddleware
    "newscrawl.middlewares.HostBackoffMiddleware": 555,
    # Scrapy's redirects, followed on the site only and never round a loop
    "scrapy.downloadermiddlewares.redirect.MetaRefreshMiddleware": None,
    "newscrawl.middlewares.ScopedMetaRefreshMiddleware": 580,
    "scrapy.downloadermiddlewares.redirect.RedirectMiddleware": None,
    "newscrawl.middlewares.ScopedRedirectMiddleware": 600,
    # after decompression (590 runs its process_response before ours at 585)
    "newscrawl.middlewares.CharsetRepairMiddleware": 585,
}
#: Per-host back-off (newscrawl/middlewares.py HostBackoffMiddleware): a host that asks for a
#: longer wait than this (Retry-After, seconds) is not asked again in this run (rate_limited).
NEWSCRAWL_MAX_RETRY_AFTER = 60
#: First wait after a 429 without Retry-After, doubled for each 429 in a row.
NEWSCRAWL_BACKOFF_BASE = 2.0
#: A host that times out this many times in a row is not asked again in this run.
NEWSCRAWL_HOST_MAX_TIMEOUTS = 3
#: A news spider's run ends after this many seconds (Scrapy's CLOSESPIDER_TIMEOUT, set by the
#: spiders only, so `scrapy shell` has none; finish reason closespider_timeout, exit 3): a cron
#: run never outlives its slot. 0 turns the bound off (a long backfill). An explicit
#: CLOSESPIDER_TIMEOUT wins.
NEWSCRAWL_RUN_DEADLINE = 3600
#: Where `-a ccnews=` finds CC-NEWS's path lists and archives (docs/backfills.md).
NEWSCRAWL_CCNEWS_BASE = "https://data.commoncrawl.org/"
#: When Chromium is used for a page that may need it: never, fallback (only for an answer that
#: is a JavaScript check) or always; a spider's `-a browser=` sets it for its article requests.
NEWSCRAWL_BROWSER = "fallback"
#: Debian's Chromium; "" means $NEWSCRAWL_CHROMIUM, else /usr/bin/chromium.
NEWSCRAWL_CHROMIUM_PATH = ""
#: How long the browser waits for the article markup after a JavaScript check.
NEWSCRAWL_BROWSER_WAIT_MS = 15_000

# --- several machines (newscrawl/distributed.py): docs/distributed.md ---------
#: redis://HOST:PORT/DB turns on distributed mode (also read from the environment variable of the
#: same name): a shared frontier (scrapy-redis), the state in Redis, a lease per worker.
NEWSCRAWL_REDIS_URL = ""
#: This worker's id, in its feed names and manifest ("": <host>-<pid>; also from the environment).
NEWSCRAWL_WORKER_ID = ""
#: A worker whose lease is not renewed for this long counts as dead: its unfinished requests go
#: back to the queue and its claims lapse (renewed every third of it).
NEWSCRAWL_REDIS_LEASE_SECONDS = 15
#: How long a Redis command waits out an unreachable or restarting Redis before it fails.
NEWSCRAWL_REDIS_WAIT_SECONDS = 60

# --- housekeeping -----------------------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "newscrawl.logformatter.LogFormatter"
