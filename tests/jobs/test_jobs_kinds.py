"""The platform's job kinds on a small generated region: imports (an upload and files on the
server), a scoring run, a ladder run, a benefit run and the benefit workbook, downloaded from the
job page."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from innoregion.apps.access.models import AuditEntry
from innoregion.apps.imports.models import ImportBatch
from innoregion.apps.imports.tasks import ImportJobForm
from innoregion.apps.jobs import services
from innoregion.apps.jobs.models import Job
from innoregion.apps.ladder.models import BenefitRun, LadderRun
from innoregion.apps.points.models import ScoringRun
from innoregion.apps.region.models import Filing

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def delivery(tmp_path_factory):
    from innoregion.generator import generate

    out = tmp_path_factory.mktemp("delivery")
    generate(out, enterprises=40, years=3, seed=5, echo=lambda *_a: None, matching=False)
    return out


def _run(job: Job) -> Job:
    services.run_pending()
    job.refresh_from_db()
    return job


def _imported(delivery, client) -> None:
    """The register through the upload form, the departments' files by their path on the server."""
    from innoregion.apps.region.services import load_reference_data
    from innoregion.cli.importing import ordered_files

    load_reference_data()
    with open(delivery / "registry.csv", "rb") as fh:
        resp = client.post("/jobs/new/imports.file/", {"file": fh, "source": "auto"})
    job = Job.objects.get()
    assert resp.status_code == 302 and job.parameters["file_name"] == "registry.csv"
    assert "/uploads/" in job.parameters["path"]
    assert _run(job).status == Job.Status.SUCCEEDED, job.error
    batch = ImportBatch.objects.get(pk=job.result["import_batch"])
    assert batch.source == "registry" and batch.imported_by.username == "official"
    assert f'href="/data/imports/{batch.pk}/"' in client.get(f"/jobs/{job.pk}/").content.decode()
    for path in ordered_files((str(delivery),))[1:]:
        form = ImportJobForm({"path": str(path), "source": "auto"}, trusted=True)
        assert form.is_valid(), form.errors
        services.start_job("imports.file", form.job_parameters())
    services.run_pending()
    assert set(Job.objects.values_list("status", flat=True)) == {Job.Status.SUCCEEDED}


def test_the_whole_chain_as_jobs(people, login, delivery):
    client = login("official")
    _imported(delivery, client)
    year = max(Filing.objects.values_list("year", flat=True))

    resp = client.post("/jobs/new/points.score/", {"methodology": "changchun-new-area", "year": year})
    score = _run(Job.objects.get(pk=resp["Location"].split("/")[-2]))
    assert score.status == Job.Status.SUCCEEDED, score.error
    run = ScoringRun.objects.get(pk=score.result["scoring_run"])
    assert run.status == ScoringRun.Status.DONE and run.units == score.result["enterprises"] > 20
    assert run.created_by == people["users"]["official"]
    assert 'href="/runs/"' in client.get(f"/jobs/{score.pk}/").content.decode()

    ladder = _run(services.start_job("ladder.run", {"year": year, "packs": []}, people["users"]["official"]))
    assert ladder.status == Job.Status.SUCCEEDED, ladder.error
    ladder_run = LadderRun.objects.get(pk=ladder.result["ladder_run"])
    assert ladder_run.rows == ladder.result["outcomes"] > 0

    benefits = _run(services.start_job("ladder.benefits", {"year": year, "use_ladder_run": True}))
    assert benefits.status == Job.Status.SUCCEEDED, benefits.error
    benefit_run = BenefitRun.objects.get(pk=benefits.result["benefit_run"])
    assert benefit_run.ladder_run == ladder_run and benefits.result["grants"] == benefit_run.grants.count()

    resp = client.post("/jobs/new/ladder.benefits_xlsx/", {"benefit_run": benefit_run.pk})
    export = _run(Job.objects.get(pk=resp["Location"].split("/")[-2]))
    assert export.status == Job.Status.SUCCEEDED and export.result_file.endswith(".xlsx")
    assert export.result["grants"] == benefit_run.grants.count()
    page = client.get(f"/jobs/{export.pk}/").content.decode()
    assert f'href="/jobs/{export.pk}/download/"' in page
    download = login("official2").get(f"/jobs/{export.pk}/download/")  # another official may view it
    assert download.status_code == 200 and "attachment" in download["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    assert {"Grants", "Run"} <= set(book.sheetnames)
    assert AuditEntry.objects.filter(action="export", object_id=str(benefit_run.pk)).count() == 1
    assert AuditEntry.objects.filter(action="job.download", object_id=str(export.pk)).count() == 1
    assert login("bank").get(f"/jobs/{export.pk}/download/").status_code == 403


def test_failures_of_the_kinds_say_why_and_change_nothing(people, login, tmp_path):
    client = login("official")
    bad = tmp_path / "tax_2024.csv"
    bad.write_text("not,a,department,file\n1,2,3,4\n", encoding="utf-8")
    with open(bad, "rb") as fh:
        client.post("/jobs/new/imports.file/", {"file": fh, "source": "tax"})
    job = _run(Job.objects.get())
    assert job.status == Job.Status.FAILED and job.error_params["name"] == "tax_2024.csv"
    assert "rejected as a whole" in client.get(f"/jobs/{job.pk}/").content.decode()
    assert not Filing.objects.exists()

    score = _run(services.start_job("points.score", {"methodology": "changchun-new-area", "year": 2031}))
    assert score.status == Job.Status.FAILED and score.error_params == {"year": 2031} and not score.traceback
    assert not ScoringRun.objects.exists()  # the failed run was rolled back with the job's transaction


def test_a_web_user_cannot_name_a_server_file(people, login):
    client = login("official")
    resp = client.post("/jobs/new/imports.file/", {"path": "/etc/passwd", "source": "tax"})
    assert resp.status_code == 200 and "Choose the file to import." in resp.content.decode()
    assert not Job.objects.exists()
