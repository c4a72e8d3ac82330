"""Pure engines: no Django import anywhere below this package.

Each engine takes tables (Polars) and specs (validated YAML/dicts) in and returns tables out,
so it can be used and tested without the database. ``tests/test_engine_purity.py`` enforces it.
"""
