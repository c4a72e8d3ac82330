"""Region reference data and pure data helpers (no Django): the indicator catalogue, the
New Area's zones, clusters and named platforms, and unified social credit code validation."""
