"""The shared news spider (:mod:`.base`); each site's spider is derived from its site module."""
