"""newscrawl: Scrapy crawlers that turn Indonesian news sites into clean JSONL feeds."""

import os

# A crawl contacts nothing but the site: Scrapy's cookie middleware uses tldextract, which
# would otherwise download the Public Suffix List on first use. Its bundled copy is enough.
os.environ.setdefault("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", "")
