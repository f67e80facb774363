"""Scrapy settings of newscrawl. Every value here is one we chose; see README "Settings"."""

from pathlib import Path

BOT_NAME = "newscrawl"
SPIDER_MODULES = ["newscrawl.spiders"]
NEWSPIDER_MODULE = "newscrawl.spiders"
COMMANDS_MODULE = "newscrawl.commands"

# --- politeness -------------------------------------------------------------------------------
#: Where site owners can read who we are; part of the User-Agent.
NEWSCRAWL_CONTACT_URL = "https://github.com/newscrawl/newscrawl"
USER_AGENT = f"newscrawl/0.1 (+{NEWSCRAWL_CONTACT_URL})"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
DOWNLOAD_TIMEOUT = 30
RETRY_ENABLED = True
RETRY_TIMES = 2
COOKIES_ENABLED = True

# --- our pipeline -----------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawl.pipelines.BoilerplatePipeline": 100,
    "newscrawl.pipelines.ValidationPipeline": 200,
    "newscrawl.pipelines.DedupPipeline": 300,
}

#: Feeds and state live here (``<dir>/<spider>/...``); relative paths are from the cwd.
NEWSCRAWL_OUTPUT_DIR = str(Path(__file__).resolve().parent.parent / "output")
#: The state backend (see newscrawl/state.py).
NEWSCRAWL_STATE_CLASS = "newscrawl.state.SQLiteState"

#: The feed of a run when no FEEDS/-o/-O is given: ``<output>/<spider>/<WIB date>/<HHMMSS>.jsonl``.
NEWSCRAWL_FEED_URI = "%(output_dir)s/%(name)s/%(run_date)s/%(run_time)s.jsonl"
NEWSCRAWL_FEED_OPTIONS = {"format": "jsonlines", "encoding": "utf-8", "store_empty": False}
FEED_EXPORT_ENCODING = "utf-8"

# --- housekeeping -----------------------------------------------------------------------------
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
LOG_FORMATTER = "newscrawl.logformatter.LogFormatter"
