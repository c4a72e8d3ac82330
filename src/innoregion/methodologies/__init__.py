"""Innovation-points methodologies (data): one YAML per edition; loaded by
``innoregion.engines.points.region_input.load_methodology``."""
