"""The project's spiders: one module per site (``bisnis``), sharing :mod:`.base`."""
