"""Site modules only the tests know: made-up sites (``warta``) that show a site is made of a
site module and a fixture folder alone. Crawl them with ``-s NEWSCRAWL_SITE_MODULES=
newscrawl.sites,tests.sites``."""
