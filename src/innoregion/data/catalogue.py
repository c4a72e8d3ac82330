"""Loads the indicator catalogue (catalogue.yaml) and the region reference data (region.yaml)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
SOURCES = ("registry", "tax", "ip", "hr", "stats", "self")
TYPES = ("money", "count", "ratio", "flag", "level", "number")
DEFAULT_MAX = {"money": 1.0e13, "count": 1.0e7, "ratio": 1.0, "flag": 1.0, "number": 1.0e13}

# Why a value does not fit an indicator, by kind: the one English wording of each (``str.format``
# fields); the ingest engine's "out of range" reasons are built from these.
CHECK_MESSAGES = {
    "value_is_nan": "not a number",
    "out_of_range": "{value:g} is outside the valid range [{min:g}, {max:g}]",
    "not_whole_number": "{value:g} must be a whole number",
    "not_zero_or_one": "{value:g} must be 0 or 1",
}


@dataclass(frozen=True)
class IndicatorDef:
    code: str
    type: str
    names: dict[str, str]
    sources: tuple[str, ...]
    authoritative: str
    min: float = 0.0
    max: float | None = None
    tolerance: float = 0.0
    levels: dict[int, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    # list-derived: the department files the complete list, so "not filed" means this value (0)
    absent_means: float | None = None

    @property
    def integral(self) -> bool:
        return self.type in ("count", "flag", "level")

    @property
    def upper(self) -> float:
        return self.max if self.max is not None else DEFAULT_MAX[self.type]

    def problem(self, value: float) -> tuple[str, dict] | None:
        """What is wrong with ``value`` for this indicator, as a kind of :data:`CHECK_MESSAGES` and
        its parameters, or None when it is acceptable."""
        if value != value:  # NaN
            return "value_is_nan", {}
        if value < self.min or value > self.upper:
            return "out_of_range", {"value": value, "min": self.min, "max": self.upper}
        if self.integral and value != int(value):
            return "not_whole_number", {"value": value}
        if self.type == "flag" and value not in (0, 1):
            return "not_zero_or_one", {"value": value}
        return None

    def check(self, value: float) -> str | None:
        """Why ``value`` is not acceptable for this indicator (in English), or None when it is."""
        found = self.problem(value)
        return None if found is None else CHECK_MESSAGES[found[0]].format(**found[1])


@dataclass(frozen=True)
class Catalogue:
    version: str
    departments: dict[str, dict[str, str]]
    key_columns: dict[str, dict[str, str]]
    indicators: dict[str, IndicatorDef]
    registry_columns: dict[str, dict]

    @property
    def absent_means_zero(self) -> tuple[str, ...]:
        """Codes of the list-derived indicators (``absent_means: 0``): not filed = not on the list."""
        return tuple(code for code, ind in self.indicators.items() if ind.absent_means == 0)

    def for_source(self, source: str) -> list[IndicatorDef]:
        return [i for i in self.indicators.values() if source in i.sources]

    def header_map(self, source: str) -> dict[str, str]:
        """Every header a department may use -> the canonical column name."""
        mapping: dict[str, str] = {}
        if source == "registry":
            for key, spec in self.registry_columns.items():
                mapping[key] = key
                for label in spec["names"].values():
                    mapping[label] = key
            return mapping
        for key, names in self.key_columns.items():
            mapping[key] = key
            for label in names.values():
                mapping[label] = key
        for ind in self.for_source(source):
            mapping[ind.code] = ind.code
            mapping[ind.names["zh"]] = ind.code
            for alias in ind.aliases:
                mapping[alias] = ind.code
        return mapping


class CatalogueError(ValueError):
    pass


def _parse_catalogue(raw: dict) -> Catalogue:
    indicators: dict[str, IndicatorDef] = {}
    for i, item in enumerate(raw["indicators"]):
        where = f"indicators[{i}] ({item.get('code', '?')})"
        if item.get("type") not in TYPES:
            raise CatalogueError(f"{where}: type must be one of {TYPES}")
        sources = tuple(item["sources"])
        if unknown := set(sources) - set(SOURCES):
            raise CatalogueError(f"{where}: unknown sources {sorted(unknown)}")
        if item["authoritative"] not in sources:
            raise CatalogueError(f"{where}: authoritative source must be one of its sources")
        if item["code"] in indicators:
            raise CatalogueError(f"{where}: duplicate code")
        absent = item.get("absent_means")
        if absent is not None and (isinstance(absent, bool) or absent != 0):
            raise CatalogueError(f"{where}: absent_means must be 0 (not on the list) when given")
        if absent is not None and item["type"] not in ("flag", "level", "count"):
            raise CatalogueError(f"{where}: absent_means applies to flags, levels and counts only")
        indicators[item["code"]] = IndicatorDef(
            code=item["code"], type=item["type"], names=dict(item["names"]), sources=sources,
            authoritative=item["authoritative"], min=float(item.get("min", 0.0)),
            max=float(item["max"]) if "max" in item else None, tolerance=float(item.get("tolerance", 0.0)),
            levels={int(k): v for k, v in (item.get("levels") or {}).items()},
            aliases=tuple(item.get("aliases", ())),
            absent_means=None if absent is None else float(absent),
        )
    return Catalogue(version=str(raw["version"]), departments=raw["departments"],
                     key_columns=raw["key_columns"], indicators=indicators,
                     registry_columns=raw["registry_columns"])


@functools.cache
def load_catalogue(path: str | None = None) -> Catalogue:
    with open(path or HERE / "catalogue.yaml", encoding="utf-8") as fh:
        return _parse_catalogue(yaml.safe_load(fh))


@functools.cache
def load_region(path: str | None = None) -> dict:
    with open(path or HERE / "region.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)
