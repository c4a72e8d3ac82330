"""The job pages and the jobs API: start form, job page, retry, download, the list's filters,
sorting and pages, and who may see what."""

from __future__ import annotations

import base64
import datetime as dt
import re

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone
from jobhelpers import rename_params

from innoregion.apps.jobs import services
from innoregion.apps.jobs.models import Job

pytestmark = pytest.mark.django_db


def _rows(html: str) -> list[str]:
    """The job ids of the list's rows, in order."""
    return re.findall(r'<tr data-status="\w+"[^>]*>\s*<td[^>]*><a href="/jobs/(\d+)/"', html)


def test_official_starts_a_job_from_its_form_and_follows_it(people, login):
    client = login("official")
    form = client.get("/jobs/new/tests.rename/")
    assert form.status_code == 200 and 'name="credit_code"' in form.content.decode()
    bad = client.post("/jobs/new/tests.rename/", {"credit_code": people["a"].credit_code})
    assert bad.status_code == 200 and "errorlist" in bad.content.decode() and not Job.objects.exists()
    resp = client.post("/jobs/new/tests.rename/", {"credit_code": people["a"].credit_code, "name": "新名"})
    job = Job.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{job.pk}/"
    assert job.started_by == people["users"]["official"] and job.parameters["name"] == "新名"
    page = client.get(resp["Location"]).content.decode()
    assert 'data-active="1"' in page and "/static/jobs/job-refresh.js" in page and "queued" in page
    assert "<th>New name</th><td>新名</td>" in page  # the parameter under its form label
    assert finders.find("jobs/job-refresh.js")
    services.run_pending()
    page = client.get(resp["Location"]).content.decode()
    assert 'data-active="0"' in page and "succeeded" in page and 'id="job-retry"' not in page
    assert f"Renamed {people['a'].credit_code}" in page  # the log, its values filled in
    progress = client.get(f"/jobs/{job.pk}/progress/").json()
    job.refresh_from_db()
    assert len(job.log) == 6  # queued, started, three steps, finished
    assert progress == {"status": "succeeded", "status_label": "succeeded", "done": 3, "total": 3, "percent": 100,
                        "step": f"Renamed {people['a'].credit_code}", "active": False, "log_lines": 6}


def test_failed_job_shows_the_error_the_traceback_only_to_administrators_and_retries(people, login):
    job = services.start_job("tests.rename", rename_params(people["a"], "坏", fail="crash"), people["users"]["official"])
    services.run_pending()
    client = login("official")
    page = client.get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-error"' in page and "unexpected error (RuntimeError)" in page
    assert "/srv/secret" not in page and "Traceback" not in page and 'id="job-retry"' in page
    api = client.get(f"/api/v1/jobs/{job.pk}/").json()
    assert "/srv/secret" not in str(api) and "traceback" not in api
    admin_page = login("admin").get(f"/jobs/{job.pk}/").content.decode()
    assert 'id="job-traceback"' in admin_page and "/srv/secret/path" in admin_page
    client = login("official")
    assert client.get(f"/jobs/{job.pk}/retry/").status_code == 405
    resp = client.post(f"/jobs/{job.pk}/retry/")
    retry = Job.objects.exclude(pk=job.pk).get()
    assert resp.status_code == 302 and resp["Location"] == f"/jobs/{retry.pk}/" and retry.retry_of == job
    assert client.post(f"/jobs/{retry.pk}/retry/").status_code == 302  # queued: refused with a message
    assert Job.objects.count() == 2
    assert f'href="/jobs/{retry.pk}/"' in client.get(f"/jobs/{job.pk}/").content.decode()  # "retried as"


def _many_jobs(people, n=60) -> list[Job]:
    official, other = people["users"]["official"], people["users"]["official2"]
    start = timezone.now() - dt.timedelta(days=n)
    jobs = []
    for i in range(n):
        jobs.append(Job.objects.create(
            kind="tests.rename" if i % 3 else "tests.chatter", parameters={"i": i},
            started_by=(official, other, None)[i % 3], created_at=start + dt.timedelta(days=i),
            status=(Job.Status.SUCCEEDED, Job.Status.FAILED)[i % 2]))
    return jobs


def test_the_list_filters_sorts_and_pages_without_losing_a_job(people, login):
    jobs = _many_jobs(people)
    client = login("official")
    first = client.get("/jobs/").content.decode()
    assert "60 jobs" in first and "page 1 of 3" in first
    assert _rows(first) == [str(j.pk) for j in reversed(jobs)][:25]  # newest first
    seen = []
    for page in (1, 2, 3):
        seen += _rows(client.get(f"/jobs/?page={page}").content.decode())
    assert sorted(map(int, seen)) == sorted(j.pk for j in jobs)  # every job on some page, once
    by_id = _rows(client.get("/jobs/?sort=id").content.decode())
    assert by_id == [str(j.pk) for j in jobs][:25]
    failed = client.get("/jobs/?status=failed").content.decode()
    assert "30 jobs" in failed
    assert set(_rows(failed)) <= {str(j.pk) for j in jobs if j.status == Job.Status.FAILED}
    chatter = client.get("/jobs/?kind=tests.chatter").content.decode()
    assert "20 jobs" in chatter
    mine = client.get(f"/jobs/?started_by={people['users']['official'].pk}").content.decode()
    assert "20 jobs" in mine
    cli = client.get("/jobs/?started_by=null").content.decode()
    assert "20 jobs" in cli and "command line" in cli
    day = timezone.localdate(jobs[10].created_at)
    window = client.get(f"/jobs/?created_from={day}&created_until={day + dt.timedelta(days=4)}").content.decode()
    assert "5 jobs" in window
    combined = client.get(f"/jobs/?status=failed&kind=tests.rename&started_by={people['users']['official2'].pk}")
    expected = [j for j in jobs if j.status == "failed" and j.kind == "tests.rename"
                and j.started_by == people["users"]["official2"]]
    assert f"{len(expected)} jobs" in combined.content.decode() and len(expected) > 0
    assert client.get("/jobs/?status=nonsense").status_code == 200  # an invalid filter: the form says so


def test_api_lists_pages_filters_and_details_jobs(people, login, client):
    jobs = _many_jobs(people)
    api = login("official")
    data = api.get("/api/v1/jobs/").json()
    assert data["count"] == 60 and len(data["results"]) == 50 and data["next"]
    assert api.get(data["next"]).json()["results"][-1]["id"] == jobs[0].pk
    assert api.get("/api/v1/jobs/?status=failed").json()["count"] == 30
    one = api.get(f"/api/v1/jobs/{jobs[6].pk}/").json()
    assert one["kind_label"] == "Chatter (tests)" and one["page_url"] == f"/jobs/{jobs[6].pk}/"
    assert one["log"] == [] and "traceback" not in one
    client.logout()
    token = base64.b64encode(f"official:{people['password']}".encode()).decode()
    basic = client.get("/api/v1/jobs/", HTTP_AUTHORIZATION=f"Basic {token}")
    assert basic.status_code == 200 and basic.json()["count"] == 60


def _job_urls(job: Job) -> list[tuple[str, str]]:
    return [("get", "/jobs/"), ("get", "/jobs/new/tests.rename/"), ("post", "/jobs/new/tests.rename/"),
            ("get", f"/jobs/{job.pk}/"), ("get", f"/jobs/{job.pk}/progress/"), ("post", f"/jobs/{job.pk}/retry/"),
            ("get", f"/jobs/{job.pk}/download/"), ("get", "/api/v1/jobs/"), ("get", f"/api/v1/jobs/{job.pk}/")]


@pytest.mark.parametrize("role", ["ent", "bank"])
def test_enterprise_and_bank_users_get_403_on_every_jobs_url(people, login, role):
    job = services.start_job("tests.rename", rename_params(people["a"], "x", fail="crash"))
    services.run_pending()
    client = login(role)
    for method, url in _job_urls(job):
        resp = getattr(client, method)(url, {"credit_code": people["a"].credit_code, "name": "y"}
                                       if method == "post" else None)
        assert resp.status_code == 403, (role, method, url, resp.status_code)
    assert Job.objects.count() == 1  # neither a start nor a retry happened


def test_anonymous_is_sent_to_the_login_page(people, client):
    job = services.start_job("tests.chatter", {})
    for method, url in _job_urls(job):
        resp = getattr(client, method)(url)
        if url.startswith("/api/"):
            assert resp.status_code in (401, 403), url
        else:
            assert resp.status_code == 302 and resp["Location"].startswith("/accounts/login/?next="), url


def test_unknown_kind_is_404_for_an_official(people, login):
    assert login("official").get("/jobs/new/no.such.kind/").status_code == 404
    assert login("official").get("/jobs/999999/").status_code == 404


def test_result_rows_name_what_they_show():
    from django.utils import translation

    from innoregion.apps.jobs.models import Job
    from innoregion.apps.jobs.selectors import result_rows

    job = Job(result={"scoring_run": 6, "methodology": "changchun-new-area", "year": 2025, "enterprises": 371,
                      "already_imported": False, "path": "/srv/x"})
    with translation.override("en"):
        rows = [(str(k), str(v)) for k, v in result_rows(job)]
    assert rows == [("year", "2025"), ("enterprises", "371"), ("already imported before", "no")]
