"""newscrawl: Scrapy crawlers that turn Indonesian news sites into clean JSONL feeds."""

import os

# A crawl contacts nothing but the site: Scrapy's cookie middleware uses tldextract, which
# would otherwise download the Public Suffix List on first use. Its bundled copy is enough.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")

# No log line of a newscrawl process shows a password (a Redis URL's, a proxy's).
from newscrawl.redact import install as _redact_logs

_redact_logs()
