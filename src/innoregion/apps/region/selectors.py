"""Reads of the region database for pages and APIs: names in the reader's language and the cached
reference tables (indicators, clusters, zones). Callers read enterprises through ``restrict``; the
reference data read here is what every signed-in role may view."""

from __future__ import annotations

from django.apps import apps
from django.db.models import Max, Q
from django.utils.translation import get_language

from innoregion.site.cache import remembered


def lang_key() -> str:
    """``zh``, ``ko`` or ``en``: the key of the active language in trilingual name tables."""
    lang = (get_language() or "zh-hans").lower()
    return "ko" if lang.startswith("ko") else "en" if lang.startswith("en") else "zh"


def pick_name(names: dict[str, str]) -> str:
    """From ``{"zh", "ko", "en"}`` names, the active language's, else Chinese, else English, else ``""``."""
    return names.get(lang_key()) or names.get("zh") or names.get("en") or ""


def names_table(model_label: str, key: str) -> dict:
    """``{key: {"zh", "ko", "en"}}`` of a reference model with trilingual names (indicators by code,
    clusters and zones by id), from the per-process cache."""
    model = apps.get_model(model_label)
    return remembered(f"names:{model_label}:{key}", lambda: {
        k: {"zh": zh, "ko": ko, "en": en}
        for k, zh, ko, en in model.objects.values_list(key, "name_zh", "name_ko", "name_en")})


def place_name(model_label: str, pk: int | None) -> str:
    """The name of a cluster or zone (``region.Cluster`` / ``region.Zone``) in the active language."""
    if pk is None:
        return ""
    return pick_name(names_table(model_label, "pk").get(pk) or {})


def catalogue_indicator_names() -> dict[str, str]:
    """Indicator code -> name in the active language, for the catalogue's indicators."""
    return {code: pick_name(n) or code for code, n in names_table("region.Indicator", "code").items()}


def enterprise_search(text: str, through: str = "") -> Q:
    """Rows whose enterprise (reached ``through`` a relation, e.g. ``"enterprise__"``) has ``text`` in
    one of its three names or in its credit code (upper-cased, as codes are stored)."""
    q = text.strip()
    return (Q(**{f"{through}name_zh__icontains": q}) | Q(**{f"{through}name_en__icontains": q})
            | Q(**{f"{through}name_ko__icontains": q}) | Q(**{f"{through}credit_code__icontains": q.upper()}))


def latest_filing_year() -> int | None:
    """The newest year any department filed for (``None`` before the first import)."""
    from innoregion.apps.region.models import Filing

    return Filing.objects.filter(is_current=True).aggregate(y=Max("year"))["y"]
