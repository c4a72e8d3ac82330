"""Every Django app has the shape docs/architecture.md declares for it; dependencies run one way;
no role is compared outside the permission policy."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import innoregion

PACKAGE = Path(innoregion.__file__).parent
APPS = PACKAGE / "apps"
DOC = PACKAGE.parent.parent / "docs" / "architecture.md"

PARTS = {
    "data": ["models.py", "admin.py", "services.py", "selectors.py", "migrations/__init__.py"],
    "pages": ["views.py", "urls.py", "templates/{app}"],
    "forms": ["forms.py"],
    "lists": ["tables.py", "filtersets.py"],
    "api": ["api/__init__.py", "api/serializers.py", "api/views.py", "api/urls.py"],
}
EVERY_APP = ["apps.py", "rules.py"]


def declared() -> dict[str, dict[str, bool]]:
    """The apps table of docs/architecture.md: ``{app: {part: yes/no}}``."""
    text = DOC.read_text(encoding="utf-8")
    rows = re.findall(r"^\| `(\w+)` \|[^|]*\|(( (?:yes|no) \|)+)\s*$", text, flags=re.M)
    out = {}
    for app, cells, _last in rows:
        values = [c.strip() == "yes" for c in cells.strip().strip("|").split("|")]
        out[app] = dict(zip(PARTS, values, strict=True))
    return out


def _exists(app: str, part: str) -> bool:
    return (APPS / app / part.format(app=app)).exists()


def test_the_docs_table_names_every_app_and_nothing_else():
    apps = {p.name for p in APPS.iterdir() if (p / "apps.py").exists()}
    table = declared()
    assert len(table) >= 9
    assert set(table) == apps


def test_every_app_has_the_declared_shape():
    problems = []
    for app, parts in declared().items():
        for f in EVERY_APP:
            if not _exists(app, f):
                problems.append(f"{app}: {f} missing")
        for part, wanted in parts.items():
            for f in PARTS[part]:
                if wanted and not _exists(app, f):
                    problems.append(f"{app}: {f} missing ({part} declared)")
                if not wanted and _exists(app, f) and not f.endswith("__init__.py"):
                    problems.append(f"{app}: {f} present but {part} not declared in docs/architecture.md")
    assert not problems, "\n".join(problems)


def test_every_app_with_an_api_is_mounted_under_api_v1():
    from django.urls import reverse

    from innoregion.site import urls

    mounted = {str(p.pattern): getattr(p, "urlconf_name", None) for p in urls.urlpatterns}
    for app, parts in declared().items():
        if parts["api"]:
            module = f"innoregion.apps.{app}.api.urls"
            hits = [route for route, conf in mounted.items()
                    if getattr(conf, "__name__", conf) == module and route.startswith("api/v1/")]
            assert hits, f"{module} is not mounted under /api/v1/"
    assert reverse("api:enterprise-list").startswith("/api/v1/")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def _modules():
    for path in PACKAGE.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        yield path, _imports(path)


def test_nothing_outside_the_cockpit_imports_the_cockpit():
    cockpit = APPS / "cockpit"
    bad = [str(p.relative_to(PACKAGE)) for p, names in _modules()
           if cockpit not in p.parents and any(n.startswith("innoregion.apps.cockpit") for n in names)]
    assert not bad, bad


def test_no_app_imports_another_apps_views():
    bad = []
    for path, names in _modules():
        rel = path.relative_to(PACKAGE).parts
        own = rel[1] if rel[0] == "apps" and len(rel) > 2 else None
        for n in names:
            m = re.match(r"innoregion\.apps\.(\w+)\.(views|api\.views)\b", n)
            if m and m.group(1) != own:
                bad.append(f"{path.relative_to(PACKAGE)} imports {n}")
    assert not bad, bad


ROLE_COMPARISON = re.compile(r"\.role\s*(==|!=|not in|in)\b|\brole\s*(==|!=)\s*[\"']|Role\.[A-Z]+\s*(==|!=|in\b)"
                             r"|(==|!=)\s*Role\.[A-Z]+|\bin\s+\(?Role\.|role_required|\bOFFICIALS\s*=|\bSTAFF\s*=")


def test_no_role_comparison_outside_the_policy():
    """Only ``access`` (the policy and its services) and each app's ``rules.py`` may look at roles."""
    bad = []
    for path in list(PACKAGE.rglob("*.py")) + list(PACKAGE.rglob("*.html")):
        rel = path.relative_to(PACKAGE)
        if "migrations" in rel.parts or rel.name == "rules.py" or rel.parts[:2] == ("apps", "access"):
            continue
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if ROLE_COMPARISON.search(line):
                bad.append(f"{rel}:{n}: {line.strip()}")
    assert not bad, "\n".join(bad)


def test_the_role_comparison_check_can_fail():
    for line in ('if who.role == Role.BANK:', "{% if role == \"official\" %}", "OFFICIALS = (1, 2)",
                 "if profile.role in STAFF:", "@role_required(Role.BANK)"):
        assert ROLE_COMPARISON.search(line), line
    assert not ROLE_COMPARISON.search('if allowed(user, "cockpit.view"):')
