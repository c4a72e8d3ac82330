"""The deterministic demo-region generator (pure Python, no Django).

``generate(out_dir, enterprises, years, seed, first_year)`` writes the department files described in
docs/data/department-files.md: the enterprise register, per-year tax, IP, HR, statistics and
self-declaration files with realistic values, missing cells, cross-source conflicts and planted bad
rows, plus platforms, talents and a manifest. Same arguments give byte-identical files.
"""

from innoregion.generator.core import DEFAULT_CHUNK, GENERATOR_VERSION, XLSX_MAX_ENTERPRISES, generate

__all__ = ["DEFAULT_CHUNK", "GENERATOR_VERSION", "XLSX_MAX_ENTERPRISES", "generate"]
