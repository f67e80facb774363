"""Page objects: one class per site layout, one small method per item field."""
