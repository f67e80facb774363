"""The project's spiders: one module per site (``bisnis``, ``kompas``), sharing :mod:`.base`."""
