"""Enumerate every URL pattern of the site (``django.urls.get_resolver``) as a concrete path."""

from __future__ import annotations

import re

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern

_ROUTE_ARG = re.compile(r"<(?:(?P<conv>[^>:]+):)?(?P<name>[^>]+)>")


def _fill_regex(regex: str, values: dict) -> str:
    out = regex.lstrip("^").rstrip("$").replace("\\Z", "")

    def group(m):
        name, body = m.group(1), m.group(2)
        if name in values:
            return str(values[name])
        alternatives = body.split("|")
        if len(alternatives) > 1 and re.fullmatch(r"[\w-]+", alternatives[0]):
            return alternatives[0]
        return "1"

    out = re.sub(r"\(\?P<(\w+)>((?:[^()]|\([^()]*\))*)\)", group, out)
    out = re.sub(r"\(\?:[^()]*\)\??", "", out)
    return out.replace("\\.", ".").replace("\\", "")


def _fill_route(route: str, values: dict) -> str:
    def arg(m):
        name, conv = m.group("name"), m.group("conv") or "str"
        if name in values:
            return str(values[name])
        return "1" if conv == "int" else "x"

    return _ROUTE_ARG.sub(arg, route)


def walk(values: dict | None = None):
    """Yield ``(path, full_name, pattern_text)`` for every URL pattern, arguments filled from
    ``values`` (by argument name) or with a placeholder."""
    values = values or {}

    def recurse(patterns, prefix, ns):
        for p in patterns:
            pat = p.pattern
            if isinstance(pat, RoutePattern):
                part = _fill_route(str(pat), values)
            elif isinstance(pat, RegexPattern):
                part = _fill_regex(pat.regex.pattern, values)
            else:  # LocalePrefixPattern
                part = ""
            if isinstance(p, URLResolver):
                sub_ns = f"{ns}:{p.namespace}" if ns and p.namespace else (p.namespace or ns)
                yield from recurse(p.url_patterns, prefix + part, sub_ns)
            elif isinstance(p, URLPattern):
                name = f"{ns}:{p.name}" if ns and p.name else (p.name or "")
                yield "/" + prefix + part, name, str(pat)

    yield from recurse(get_resolver().url_patterns, "", "")
