"""Every model of the project has an admin page with search and filters (officials find records by
credit code, name, status, year)."""

from django.apps import apps
from django.contrib import admin


def test_every_project_model_is_in_the_admin_with_search_and_filters():
    problems = []
    for model in apps.get_models():
        if not model.__module__.startswith("innoregion."):
            continue
        model_admin = admin.site._registry.get(model)
        if model_admin is None:
            problems.append(f"{model._meta.label}: not registered")
        elif not model_admin.search_fields or not model_admin.list_filter:
            problems.append(f"{model._meta.label}: needs search_fields and list_filter")
    assert not problems, problems


def test_admin_changelists_render_with_a_search(admin_client):
    for model in admin.site._registry:
        if not model.__module__.startswith("innoregion."):
            continue
        url = f"/admin/{model._meta.app_label}/{model._meta.model_name}/?q=9122"
        assert admin_client.get(url).status_code == 200, url
