"""The tier catalogue: versioned data that places a person in a tier and lists what each tier unlocks."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

CONDITION_KEYS = {"titles_any", "awards_any", "positions_any", "flags_any", "degree_in", "max_age",
                  "min_annual_salary_cny"}
DEGREES = {"bachelor", "master", "doctorate"}
LIST_CONDITIONS = {"titles_any": "titles", "awards_any": "awards", "positions_any": "positions",
                   "flags_any": "flags"}


_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class CatalogueError(ValueError):
    pass


@dataclass(frozen=True)
class Rule:
    id: str
    tier: str
    conditions: dict[str, Any]


@dataclass(frozen=True)
class Tier:
    code: str
    group: str
    label: dict[str, str]
    rules: tuple[Rule, ...]
    services: dict[str, dict]


@dataclass(frozen=True)
class Catalogue:
    catalogue: str
    version: str
    status: str
    title: dict[str, str]
    vocabulary: dict[str, dict[str, dict[str, str]]]
    service_labels: dict[str, dict[str, str]]
    tiers: tuple[Tier, ...]
    sources: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        """What a credential records: ``<catalogue>/<version>``."""
        return f"{self.catalogue}/{self.version}"

    def tier(self, code: str) -> Tier | None:
        return next((t for t in self.tiers if t.code == code), None)

    def services_for(self, code: str, language: str = "en") -> list[dict]:
        tier = self.tier(code)
        if tier is None:
            return []
        return [{"code": svc, "label": _label(self.service_labels.get(svc, {}), language, svc), **params}
                for svc, params in tier.services.items()]

    def tier_label(self, code: str, language: str = "en") -> str:
        tier = self.tier(code)
        return _label(tier.label, language, code) if tier else code


def _label(labels: dict[str, str], language: str, default: str) -> str:
    lang = language.lower()
    if lang.startswith("zh"):
        lang = "zh"
    return labels.get(lang) or labels.get("en") or default


def _parse_rule(r: dict, tier: str, vocabulary: dict, seen_rules: set[str]) -> Rule:
    rule_id = str(r["id"])
    if rule_id in seen_rules:
        raise CatalogueError(f"rule id {rule_id} appears twice")
    seen_rules.add(rule_id)
    conditions = dict(r.get("conditions") or {})
    if not conditions:
        raise CatalogueError(f"rule {rule_id} has no conditions")
    unknown = set(conditions) - CONDITION_KEYS
    if unknown:
        raise CatalogueError(f"rule {rule_id}: unknown conditions {sorted(unknown)}")
    for key, facet in LIST_CONDITIONS.items():
        for value in conditions.get(key, []):
            if value not in vocabulary.get(facet, {}):
                raise CatalogueError(f"rule {rule_id}: {value!r} is not in vocabulary.{facet}")
    if set(conditions.get("degree_in", [])) - DEGREES:
        raise CatalogueError(f"rule {rule_id}: unknown degree in {conditions['degree_in']}")
    return Rule(id=rule_id, tier=tier, conditions=conditions)


def parse_catalogue(data: dict) -> Catalogue:
    """Validate the YAML structure and build a :class:`Catalogue`; raise CatalogueError when wrong."""
    for key in ("catalogue", "version", "tiers", "services", "vocabulary"):
        if key not in data:
            raise CatalogueError(f"catalogue lacks {key!r}")
    vocabulary = data["vocabulary"]
    services = data["services"]
    tiers: list[Tier] = []
    seen_rules: set[str] = set()
    for raw in data["tiers"]:
        code = str(raw["code"])
        if any(t.code == code for t in tiers):
            raise CatalogueError(f"tier {code} appears twice")
        rules = [_parse_rule(r, code, vocabulary, seen_rules) for r in raw.get("rules", [])]
        tier_services = {k: dict(v or {}) for k, v in (raw.get("services") or {}).items()}
        for svc in tier_services:
            if svc not in services:
                raise CatalogueError(f"tier {code}: service {svc!r} is not declared under services")
        tiers.append(Tier(code=code, group=str(raw.get("group", code[:1])), label=dict(raw.get("label") or {}),
                          rules=tuple(rules), services=tier_services))
    return Catalogue(catalogue=str(data["catalogue"]), version=str(data["version"]),
                     status=str(data.get("status", "")), title=dict(data.get("title") or {}),
                     vocabulary=vocabulary, service_labels=services, tiers=tuple(tiers),
                     sources=tuple(data.get("sources") or ()))


def load_catalogue(source: str | Path = "changchun-new-area-2025") -> Catalogue:
    """Load a shipped catalogue by name (file stem under ``catalogues/``) or a YAML file by path."""
    path = Path(source)
    if path.suffix in (".yaml", ".yml") and path.exists():
        return parse_catalogue(yaml.safe_load(path.read_text(encoding="utf-8")))
    return _shipped(str(source))


@lru_cache(maxsize=32)
def _shipped(name: str) -> Catalogue:
    # shipped catalogues are package data: parse each once per process
    ref = resources.files("innoregion.engines.credentials") / "catalogues" / f"{name}.yaml"
    if not ref.is_file():
        raise CatalogueError(f"no shipped catalogue named {name!r}")
    return parse_catalogue(yaml.load(ref.read_text(encoding="utf-8"), Loader=_LOADER))


def shipped_catalogues() -> dict[str, Catalogue]:
    """Every catalogue shipped in the package, by id (``<catalogue>/<version>``)."""
    folder = resources.files("innoregion.engines.credentials") / "catalogues"
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            cat = _shipped(entry.name[: -len(".yaml")])
            found[cat.id] = cat
    return found


@dataclass(frozen=True)
class Placement:
    tier: str | None
    rule: str | None
    catalogue: str
    explanation: list[str] = field(default_factory=list)
    matched_rules: list[str] = field(default_factory=list)


def _check(rule: Rule, facts: dict) -> tuple[bool, list[str]]:
    reasons: list[str] = []
    ok = True
    for key, facet in LIST_CONDITIONS.items():
        if key in rule.conditions:
            wanted = set(rule.conditions[key])
            have = set(facts.get(facet) or [])
            hit = sorted(wanted & have)
            if hit:
                reasons.append(f"{facet}: has {', '.join(hit)}")
            else:
                ok = False
                reasons.append(f"{facet}: none of {', '.join(sorted(wanted))}")
    if "degree_in" in rule.conditions:
        degree = facts.get("degree")
        good = degree in rule.conditions["degree_in"]
        ok &= good
        reasons.append(f"degree {degree or 'unknown'} {'in' if good else 'not in'} {rule.conditions['degree_in']}")
    if "max_age" in rule.conditions:
        age = facts.get("age")
        good = age is not None and age <= rule.conditions["max_age"]
        ok &= good
        reasons.append(f"age {age if age is not None else 'unknown'} {'≤' if good else 'not ≤'} "
                       f"{rule.conditions['max_age']}")
    if "min_annual_salary_cny" in rule.conditions:
        salary = facts.get("annual_salary_cny")
        good = salary is not None and salary >= rule.conditions["min_annual_salary_cny"]
        ok &= good
        reasons.append(f"annual salary {salary if salary is not None else 'unknown'} "
                       f"{'≥' if good else 'not ≥'} {rule.conditions['min_annual_salary_cny']}")
    return ok, reasons


def place_in_tier(person_facts: dict, catalogue: Catalogue) -> Placement:
    """Place a person in the highest tier one of whose rules matches, and say why.

    ``person_facts`` keys: ``titles``, ``awards``, ``positions``, ``flags`` (lists of vocabulary codes),
    ``degree`` (bachelor/master/doctorate), ``age`` (years), ``annual_salary_cny``. Codes not in the
    catalogue's vocabulary are reported and ignored.
    """
    explanation: list[str] = []
    for facet in LIST_CONDITIONS.values():
        unknown = sorted(set(person_facts.get(facet) or []) - set(catalogue.vocabulary.get(facet, {})))
        if unknown:
            explanation.append(f"ignored {facet} not in catalogue {catalogue.id}: {', '.join(unknown)}")
    matched: list[str] = []
    chosen: Rule | None = None
    for tier in catalogue.tiers:
        for rule in tier.rules:
            ok, reasons = _check(rule, person_facts)
            if ok:
                matched.append(rule.id)
                if chosen is None:
                    chosen = rule
                    explanation.append(f"tier {tier.code} by rule {rule.id}: {'; '.join(reasons)}")
    if chosen is None:
        explanation.append(f"no rule of catalogue {catalogue.id} matches: no tier")
        return Placement(tier=None, rule=None, catalogue=catalogue.id, explanation=explanation, matched_rules=[])
    if len(matched) > 1:
        explanation.append(f"lower tiers also matched ({', '.join(matched[1:])}); the highest applies")
    return Placement(tier=chosen.tier, rule=chosen.id, catalogue=catalogue.id, explanation=explanation,
                     matched_rules=matched)
