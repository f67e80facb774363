"""Page objects: the shared machinery (:mod:`.base`, :mod:`.selectors`); each site's
layouts live in its site module (:mod:`newscrawl.sites`)."""
