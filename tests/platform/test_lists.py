"""The list pages (innoregion.site.lists): every list filters, sorts, pages without cutting rows off,
says how many rows it holds, and downloads as CSV and XLSX with every filtered row, through the one
formula guard, and only the rows the user may see."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import re
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from innoregion.data.creditcode import make_code

EVIL = ("=HYPERLINK(\"http://x\")", "＝1+1")  # ASCII and full-width formula starts


# ---------------------------------------------------------------- helpers
def html_of(client, url, **extra) -> str:
    resp = client.get(url, **extra)
    assert resp.status_code == 200, (url, resp.status_code)
    return resp.content.decode()


def totals(html: str) -> list[int]:
    """The row counts the page shows, one per list (``data-total``), in page order."""
    return [int(n) for n in re.findall(r'class="count" data-total="(\d+)"', html)]


def body_rows(html: str, nth: int = 0) -> list[str]:
    """The ``<tr>`` of the nth table body of the page (``nth`` counts the list tables)."""
    bodies = re.findall(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", bodies[nth], re.S)


def cells(row: str) -> list[str]:
    return [html.unescape(re.sub(r"<[^>]+>", "", c)).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]


def column(html: str, index: int, nth: int = 0) -> list[str]:
    return [cells(r)[index] for r in body_rows(html, nth) if "colspan=" not in r]  # not the empty-list row


def download(client, url, fmt: str) -> list[list]:
    """The rows (header first) of a list's CSV or XLSX download."""
    resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    assert "attachment" in resp["Content-Disposition"] and resp["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        assert resp["Content-Type"].startswith("text/csv")
        return list(csv.reader(io.StringIO(resp.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(resp.content)).worksheets[0]
    return [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]


def both(client, url: str) -> dict[str, list[list]]:
    """Both downloads of a list; ``url`` ends with its ``export=`` parameter."""
    assert url.endswith("export=")
    return {fmt: download(client, url + fmt, fmt) for fmt in ("csv", "xlsx")}


def no_html(table: list[list]) -> None:
    for row in table:
        for cell in row:
            assert not (isinstance(cell, str) and re.search(r"<[a-z/][^>]*>|&[a-z]+;|&#", cell)), cell


def walk(client, url: str, page_param: str = "page", nth: int = 0, index: int = 0) -> list[str]:
    """Column ``index`` of every page of a list, following its pager."""
    seen, page = [], 1
    while True:
        sep = "&" if "?" in url else "?"
        html = html_of(client, f"{url}{sep}{page_param}={page}")
        seen += column(html, index, nth)
        if f"{page_param}={page + 1}" not in html:
            return seen
        page += 1


def _enterprise(i: int, name: str, **kw):
    from innoregion.apps.region.models import Enterprise

    return Enterprise.objects.create(credit_code=make_code("9", "1", "220100", f"{i:08d}"), name_zh=f"{name}公司",
                                     name_en=name, founded=dt.date(2010 + i % 12, 1, 1), industry="C39", **kw)


# ---------------------------------------------------------------- the shared machinery
def test_cells_are_plain_and_guarded():
    from django.utils.safestring import mark_safe

    from innoregion import exports
    from innoregion.site.lists import plain

    assert plain(mark_safe('<a href="/x/">A &amp; B</a>')) == "A & B"
    aware = timezone.make_aware(dt.datetime(2025, 3, 1, 12, 30, 15, 999), dt.UTC)
    assert plain(aware) == dt.datetime(2025, 3, 1, 20, 30, 15)  # Asia/Shanghai, no time zone, no µs
    assert plain(["a", "b"]) == "a, b" and plain(None) is None and plain(1.5) == 1.5
    assert [exports.safe_cell(plain(v)) for v in EVIL] == ["'" + v for v in EVIL]


# tables2's own rendering of a table body (its table.html, with the site's <td> spacing): the reference
# that ListTable.body_html (rows written in Python, cells read by _CellRenderer) must reproduce
STOCK_BODY = ("{% for row in table.paginated_rows %}<tr>{% for column, cell in row.items %}<td"
              "{% with a=column.attrs.td.as_html %}{% if a %} {{ a }}{% endif %}{% endwith %}>{{ cell }}</td>"
              "{% endfor %}</tr>\n{% endfor %}")


def test_body_html_is_what_tables2_renders(many, rf, settings):
    from django.template import Context, Template
    from django.utils import translation

    from innoregion.apps.access.policy import restrict
    from innoregion.apps.imports.models import ImportBatch
    from innoregion.apps.imports.tables import BatchTable
    from innoregion.apps.points import selectors
    from innoregion.apps.points.tables import MoveTable, ScoreRunTable
    from innoregion.apps.region.filtersets import EnterpriseFilter
    from innoregion.apps.region.models import Enterprise
    from innoregion.apps.region.tables import EnterpriseTable
    from innoregion.site.lists import build_list

    official = many["users"]["official"]
    ImportBatch.objects.create(source="tax", file_name="<big>.csv", sha256="b" * 64, raw_path="x", status="imported",
                               rows_accepted=1234567, started_at=timezone.now())  # a localised "1,234,567"
    run = selectors.latest_run()
    scores = selectors.scores_of_run(run)
    moves = [{"id": e, "name": f"<b>{e}</b>", "a": s["points"], "b": None if e % 5 == 0 else 1.5, "delta": 0.5,
              "tier_a": s["tier"], "tier_b": "A"} for e, s in scores.items()]
    cases = [(Enterprise.objects.all(), EnterpriseTable, EnterpriseFilter, {"run": run}, {"run": run}),
             (ImportBatch.objects.all(), BatchTable, None, {}, None),
             (selectors.score_runs(), ScoreRunTable, None, {}, None),
             (moves, MoveTable, None, {"before": scores, "after": scores}, None)]
    for lang in ("en", "ko", "zh-hans"):
        for query in ("", "sort=-points", "sort=name&page=2", "per_page=7&page=3"):
            request = rf.get(f"/x/?{query}")
            request.user = official
            with translation.override(lang):
                for queryset, table_class, filterset_class, table_kwargs, filterset_kwargs in cases:
                    data = restrict(queryset, official, "view") if not isinstance(queryset, list) else queryset
                    table = build_list(request, queryset=data, table_class=table_class,
                                       filterset_class=filterset_class, table_kwargs=table_kwargs,
                                       filterset_kwargs=filterset_kwargs, export_name="x").table
                    assert table.body_html(), (table_class, query)
                    assert table.body_html() == Template("{% load django_tables2 %}" + STOCK_BODY).render(
                        Context({"table": table})), (table_class, lang, query)


# ---------------------------------------------------------------- region: the enterprise list
@pytest.fixture
def many(scored):
    """The scored world (42 scored enterprises) and 60 more without scores: more than a page (50),
    two of them named like formulas."""
    from innoregion.apps.region.models import Cluster

    cluster = Cluster.objects.get(code="pharma-valley")
    extra = [_enterprise(500 + i, f"Extra {i:02d}", cluster=cluster) for i in range(58)]
    extra += [_enterprise(600 + i, name) for i, name in enumerate(EVIL)]
    scored["extra"] = extra
    return scored


def test_enterprise_list_pages_without_cutting_and_counts(many, client):
    from innoregion.apps.region.models import Enterprise

    client.force_login(many["users"]["official"])
    codes = set(Enterprise.objects.values_list("credit_code", flat=True))
    assert len(codes) == 102
    html = html_of(client, "/enterprises/")
    assert totals(html) == [102] and "(102)" in html and len(body_rows(html)) == 50
    pages = walk(client, "/enterprises/?sort=name")
    assert len(pages) == 102 and set(pages) == codes  # every row once, on three pages
    assert len(body_rows(html_of(client, "/enterprises/?page=3"))) == 2
    assert len(body_rows(html_of(client, "/enterprises/?per_page=100000"))) == 102  # bounded at 200 a page
    assert len(body_rows(html_of(client, "/enterprises/?per_page=7"))) == 7


def test_enterprise_list_filters_and_sorts(many, client):
    from innoregion.apps.points.models import EnterpriseScore
    from innoregion.apps.region.models import Enterprise

    client.force_login(many["users"]["official"])
    run = many["run"]
    stage = EnterpriseScore.objects.filter(run=run).values_list("stage", flat=True).first()
    n = EnterpriseScore.objects.filter(run=run, stage=stage).count()
    assert 0 < n < 42 and totals(html_of(client, f"/enterprises/?stage={stage}")) == [n]
    cluster = many["extra"][0].cluster
    assert totals(html_of(client, f"/enterprises/?cluster={cluster.pk}")) == [
        Enterprise.objects.filter(cluster=cluster).count()]
    assert totals(html_of(client, "/enterprises/?q=extra 0")) == [10]  # "Extra 00" … "Extra 09"
    assert totals(html_of(client, f"/enterprises/?q={many['b'].credit_code.lower()}")) == [1]
    # sorts: by points (best first, the unscored last), by name, by founding date
    best = list(EnterpriseScore.objects.filter(run=run).order_by("-score").values_list(
        "enterprise__credit_code", flat=True)[:3])
    assert column(html_of(client, "/enterprises/?sort=-points"), 0)[:3] == best
    worst_scored = (EnterpriseScore.objects.filter(run=run, score__isnull=False).order_by("score").first()
                    .enterprise.credit_code)
    assert column(html_of(client, "/enterprises/?sort=points"), 0)[0] == worst_scored
    names = column(html_of(client, "/enterprises/?sort=-name&per_page=200"), 1)
    assert names == [e.name_en for e in Enterprise.objects.order_by("-name_zh", "-credit_code")]
    years = [int(y) for y in column(html_of(client, "/enterprises/?sort=founded&per_page=200"), 4)]
    assert years == sorted(years) and years[0] < years[-1]


def test_enterprise_list_fills_points_for_the_page_only(many, client, monkeypatch):
    from innoregion.apps.ladder import selectors as ladder_selectors
    from innoregion.apps.points import selectors as points_selectors

    asked = {"scores": [], "rungs": []}
    scores_for, rungs_for = points_selectors.scores_for, ladder_selectors.rungs_for

    def spy_scores(ids, *args, **kwargs):
        asked["scores"].append(list(ids))
        return scores_for(ids, *args, **kwargs)

    def spy_rungs(ids, *args, **kwargs):
        asked["rungs"].append(list(ids))
        return rungs_for(ids, *args, **kwargs)

    monkeypatch.setattr(points_selectors, "scores_for", spy_scores)
    monkeypatch.setattr(ladder_selectors, "rungs_for", spy_rungs)
    client.force_login(many["users"]["official"])
    html = html_of(client, "/enterprises/?sort=-points&per_page=10")
    assert [len(ids) for ids in asked["scores"]] == [10] and [len(ids) for ids in asked["rungs"]] == [10]
    shown = [float(p) for p in column(html, 6)]
    assert shown == sorted(shown, reverse=True) and all(p > 0 for p in shown)
    asked["scores"].clear()
    rows = download(client, "/enterprises/?export=csv", "csv")
    assert len(rows) == 103 and sum(len(ids) for ids in asked["scores"]) == 102  # every row, read in chunks


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_enterprise_list_downloads_every_filtered_row_guarded(many, client, fmt):
    from innoregion.apps.points.models import EnterpriseScore
    from innoregion.apps.region.models import Enterprise

    client.force_login(many["users"]["official"])
    table = download(client, f"/enterprises/?export={fmt}&sort=-points", fmt)
    assert table[0] == ["Credit code", "Name", "Cluster", "Zone", "Founded", "Stage", "Points", "Tier", "Rung"]
    assert len(table) == 1 + 102 and {r[0] for r in table[1:]} == set(
        Enterprise.objects.values_list("credit_code", flat=True))
    no_html(table)
    names = {r[1] for r in table[1:]}
    assert {"'" + v for v in EVIL} <= names and not names & set(EVIL)
    best = EnterpriseScore.objects.filter(run=many["run"]).order_by("-score").first()
    assert table[1][0] == best.enterprise.credit_code and float(table[1][6]) == pytest.approx(best.score, abs=0.01)
    assert table[-1][6] in ("", None)  # the unscored come last, with no points
    # a filter narrows the download exactly as it narrows the page
    cluster = many["extra"][0].cluster
    narrowed = download(client, f"/enterprises/?export={fmt}&cluster={cluster.pk}", fmt)
    assert len(narrowed) - 1 == Enterprise.objects.filter(cluster=cluster).count() < 102


def test_enterprise_list_and_its_download_stay_closed(world, client):
    for role in ("ent_a", "bank"):
        client.force_login(world["users"][role])
        assert client.get("/enterprises/?export=csv").status_code == 403
    client.logout()
    assert client.get("/enterprises/?export=xlsx").status_code == 302  # to the log-in page


def test_download_is_audited(world, client):
    from innoregion.apps.access.models import AuditEntry

    client.force_login(world["users"]["official"])
    download(client, "/enterprises/?export=csv&q=甲", "csv")
    entry = AuditEntry.objects.get(action="list.export")
    assert entry.actor == world["users"]["official"] and entry.object_id == "enterprises"
    assert entry.after["rows"] == 1 and entry.after["format"] == "csv" and entry.after["query"] == {"q": ["甲"]}


# ---------------------------------------------------------------- imports
@pytest.fixture
def batches(world):
    from innoregion.apps.imports.models import ImportBatch, QuarantinedRow

    made = [ImportBatch.objects.create(source="tax" if i % 2 else "stats", file_name=f"file-{i:03d}.csv",
                                       sha256=f"{i + 1:064d}", raw_path="x", status="imported",
                                       started_at=timezone.now() - dt.timedelta(minutes=i))
            for i in range(59)]
    made.append(ImportBatch.objects.create(source="tax", file_name=EVIL[0], sha256="e" * 64, raw_path="x",
                                           status="rejected", started_at=timezone.now()))
    detail = made[0]
    QuarantinedRow.objects.bulk_create([
        QuarantinedRow(batch=detail, row_number=i + 2, column="营业收入" if i % 3 else "年度",
                       value=EVIL[1] if i == 0 else "x", reason=EVIL[1] if i == 0 else "not a number", raw={})
        for i in range(120)])
    world["batches"], world["detail"] = made, detail
    return world


def test_import_lists_page_filter_sort_and_download(batches, client):
    from innoregion.apps.imports.models import ImportBatch

    client.force_login(batches["users"]["official"])
    html = html_of(client, "/data/imports/")
    assert totals(html) == [61] and len(body_rows(html)) == 50  # was cut at 100; now paged
    files = walk(client, "/data/imports/?sort=file")
    assert files == list(ImportBatch.objects.order_by("file_name", "-pk").values_list("file_name", flat=True))
    assert totals(html_of(client, "/data/imports/?source=stats")) == [ImportBatch.objects.filter(source="stats").count()]
    assert totals(html_of(client, "/data/imports/?status=rejected&file=HYPERLINK")) == [1]
    for fmt, table in both(client, "/data/imports/?export=").items():
        assert table[0] == ["File", "Source department", "Status", "Rows accepted", "Rows quarantined", "Started"]
        assert len(table) == 62, fmt
        assert "'" + EVIL[0] in {r[0] for r in table} and EVIL[0] not in {r[0] for r in table}
        no_html(table)


def test_quarantined_rows_page_and_download(batches, client):
    client.force_login(batches["users"]["official"])
    url = f"/data/imports/{batches['detail'].pk}/"
    html = html_of(client, url)
    assert totals(html) == [120] and len(body_rows(html)) == 50  # was cut at 200 silently
    rows = walk(client, url)
    assert [int(r) for r in rows] == list(range(2, 122))
    assert totals(html_of(client, f"{url}?column=年度")) == [40]
    assert column(html_of(client, f"{url}?sort=-row"), 0)[0] == "121"
    for table in both(client, f"{url}?column=年度&export=").values():
        assert len(table) == 41 and table[0] == ["row", "Column", "Reason"]
        assert table[1][2] == "'" + EVIL[1]  # the full-width "＝" too
    rejected = download(client, f"{url}rejected.csv", "csv")
    assert len(rejected) == 121 and rejected[1][2] == "'" + EVIL[1]
    client.force_login(batches["users"]["ent_a"])
    assert client.get(f"{url}?export=csv").status_code == 403


# ---------------------------------------------------------------- points
def test_score_runs_list(scored, client):
    from innoregion.apps.points.models import ScoringRun

    base = scored["run"]
    ScoringRun.objects.bulk_create([
        ScoringRun(methodology=base.methodology, methodology_version=base.methodology_version,
                   spec_sha256=base.spec_sha256, code_version="t", year=2020 + i % 3, started_at=timezone.now(),
                   status=ScoringRun.Status.FAILED if i % 2 else ScoringRun.Status.RUNNING, inputs_sha256=EVIL[0])
        for i in range(55)])
    client.force_login(scored["users"]["official"])
    html = html_of(client, "/runs/")
    assert totals(html) == [56] and len(body_rows(html)) == 50
    newest = ScoringRun.objects.order_by("-pk").first().pk
    assert f'form="compare" name="b" value="{newest}" checked' in html
    runs = [int(r) for r in walk(client, "/runs/", index=2)]
    assert runs == sorted(runs, reverse=True) and len(runs) == 56
    assert totals(html_of(client, "/runs/?status=failed&year=2021")) == [
        ScoringRun.objects.filter(status="failed", year=2021).count()]
    for table in both(client, "/runs/?status=failed&export=").values():
        assert table[0][:2] == ["Run", "Methodology"]  # the compare buttons are not exported
        assert len(table) == 1 + ScoringRun.objects.filter(status="failed").count()
        assert {r[-1] for r in table[1:]} == {"'" + EVIL[0]}


def test_score_run_diff_pages_and_downloads_every_move(scored, client):
    from innoregion.apps.points.services import score_region
    from innoregion.apps.region.models import Enterprise, Filing

    Filing.objects.filter(enterprise=scored["a"], indicator__code="rd_expense", year=2025).update(value=9e9)
    Enterprise.objects.filter(pk=scored["b"].pk).update(name_en=EVIL[1])
    run2 = score_region("changchun-new-area", 2025)
    client.force_login(scored["users"]["official"])
    url = f"/runs/diff/?a={scored['run'].pk}&b={run2.pk}"
    html = html_of(client, f"{url}&per_page=10")
    assert totals(html) == [42] and len(body_rows(html)) == 10
    first = cells(body_rows(html)[0])
    assert first[0] == scored["a"].name_en and "rd_" in first[5]  # the largest move, and why
    names = walk(client, f"{url}&per_page=10")
    assert len(names) == 42 and len(set(names)) == 42
    changes = [float(c) for c in column(html_of(client, f"{url}&sort=delta&per_page=50"), 3)]
    assert changes == sorted(changes)
    for table in both(client, f"{url}&export=").values():
        assert table[0] == ["Enterprise", "A", "B", "Change", "Tier", "Why"] and len(table) == 43
        assert table[1][0] == scored["a"].name_en and "rd_" in table[1][5]
        assert "'" + EVIL[1] in {r[0] for r in table}
        no_html(table)


# ---------------------------------------------------------------- finance
@pytest.fixture
def applications(world):
    from innoregion.apps.access import services as access
    from innoregion.apps.finance.models import CreditApplication, PledgeApplication

    b_consent = access.grant_consent(world["b"], world["bank"], ["summary"], "loan",
                                     timezone.now() + dt.timedelta(days=30), world["users"]["ent_b"])
    credit = [CreditApplication(enterprise=world["a"] if i % 3 else world["b"], bank=world["bank"],
                                consent=world["consent"] if i % 3 else b_consent, amount=1000 + i,
                                status="approved" if i % 5 == 0 else "submitted", points_at_application=50.0)
              for i in range(60)]
    CreditApplication.objects.bulk_create(credit)
    PledgeApplication.objects.create(enterprise=world["a"], bank=world["bank"], consent=world["consent"],
                                     kind="ip", pledged=EVIL[0], amount=5000)
    PledgeApplication.objects.create(enterprise=world["b"], bank=world["bank"], consent=b_consent,
                                     kind="equity", pledged="shares", amount=7000)
    return world


def test_financing_lists_page_filter_and_download(applications, client):
    from innoregion.apps.finance.models import CreditApplication

    client.force_login(applications["users"]["official"])
    html = html_of(client, "/finance/applications/")
    assert totals(html) == [60, 2] and len(body_rows(html, 0)) == 50  # was cut at 200
    amounts = walk(client, "/finance/applications/?credit-sort=amount", page_param="credit-page", index=2)
    assert len(amounts) == 60 and amounts == sorted(amounts, key=lambda a: float(a.replace(",", "")))
    assert totals(html_of(client, "/finance/applications/?credit-status=approved")) == [12, 2]
    assert totals(html_of(client, "/finance/applications/?pledge-kind=ip&credit-enterprise=乙")) == [20, 1]
    for table in both(client, "/finance/applications/?credit-status=approved&credit-export=").values():
        assert table[0] == ["Enterprise", "Bank", "Amount (CNY)", "Points", "Status"] and len(table) == 13
    for table in both(client, "/finance/applications/?pledge-export=").values():
        assert len(table) == 3 and "'" + EVIL[0] in {r[3] for r in table}
    assert CreditApplication.objects.count() == 60


def test_financing_downloads_hold_only_the_users_rows(applications, client):
    client.force_login(applications["users"]["ent_a"])
    for fmt in ("csv", "xlsx"):
        credit = download(client, f"/finance/applications/?credit-export={fmt}", fmt)
        assert len(credit) == 1 + 40 and {r[0] for r in credit[1:]} == {"甲 Co."}
        pledge = download(client, f"/finance/applications/?pledge-export={fmt}", fmt)
        assert [r[0] for r in pledge[1:]] == ["甲 Co."]
    client.force_login(applications["users"]["bank2"])  # no application was sent to the second bank
    assert len(download(client, "/finance/applications/?credit-export=csv", "csv")) == 1


# ---------------------------------------------------------------- access
def test_audit_log_pages_filters_and_downloads(world, client):
    from innoregion.apps.access import audit
    from innoregion.apps.access.models import AuditEntry

    official = world["users"]["official"]
    for i in range(70):
        audit.record(official, f"test.page.{i:02d}" if i % 2 else EVIL[0], world["a"], after={"i": i})
    client.force_login(official)
    n = AuditEntry.objects.count()
    assert n > 70
    html = html_of(client, "/access/audit/")
    assert totals(html) == [n] and len(body_rows(html)) == 50
    assert len(walk(client, "/access/audit/")) == n
    assert totals(html_of(client, "/access/audit/?action=test.")) == [35]
    oldest_first = column(html_of(client, "/access/audit/?sort=at&action=test.page"), 2)
    assert oldest_first == [f"test.page.{i:02d}" for i in range(1, 70, 2)]
    assert column(html_of(client, "/access/audit/?sort=-at&action=test.page"), 2)[0] == "test.page.69"
    for table in both(client, "/access/audit/?action=%3DHYPER&export=").values():
        assert table[0] == ["When", "Who", "Action", "Object", "Bank", "Under consent"] and len(table) == 36
        assert {r[2] for r in table[1:]} == {"'" + EVIL[0]}
        assert isinstance(table[1][0], dt.datetime) or re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$", table[1][0])
    client.force_login(world["users"]["ent_a"])
    assert client.get("/access/audit/?export=csv").status_code == 403


def test_portal_lists_are_the_enterprises_own(world, client):
    from innoregion.apps.access import audit, services

    services.grant_consent(world["b"], world["bank2"], ["summary"], EVIL[1], timezone.now() + dt.timedelta(days=9),
                           world["users"]["ent_b"])
    for _ in range(30):
        audit.record(world["users"]["bank"], "bank.read.summary", world["a"], bank=world["bank"])
    client.force_login(world["users"]["ent_a"])
    html = html_of(client, "/access/portal/")
    a_log = totals(html)[1]
    assert totals(html)[0] == 1 and a_log >= 30 and len(body_rows(html, 1)) == 25
    assert len(walk(client, "/access/portal/", page_param="log-page", nth=1)) == a_log
    assert totals(html_of(client, f"/access/portal/?log-bank={world['bank2'].pk}")) == [1, 0]
    for fmt, table in both(client, "/access/portal/?log-export=").items():
        assert len(table) == 1 + a_log and table[0] == ["When", "Who", "Bank", "Action", "Under consent"], fmt
    for table in both(client, "/access/portal/?consents-export=").values():
        assert [r[0] for r in table[1:]] == ["First Bank"] and table[1][-1] == "active"
    client.force_login(world["users"]["ent_b"])  # B's downloads hold none of A's rows
    for table in both(client, "/access/portal/?log-export=").values():
        assert not any("bank.read" in str(c) or "bank read" in str(c) for r in table for c in r)
    for table in both(client, "/access/portal/?consents-export=").values():
        assert [(r[0], r[2]) for r in table[1:]] == [("Second Bank", "'" + EVIL[1])]


def test_token_page_lists(world, client):
    from innoregion.apps.access import services

    for i in range(30):
        services.create_api_token(world["bank"], world["users"]["bank"], EVIL[0] if i == 0 else f"t{i:02d}",
                                  ["summary"])
    client.force_login(world["users"]["bank"])
    html = html_of(client, "/access/tokens/")
    assert totals(html) == [31, 1] and len(body_rows(html, 0)) == 25
    assert len(walk(client, "/access/tokens/?tokens-sort=name", page_param="tokens-page")) == 31
    assert totals(html_of(client, "/access/tokens/?tokens-name=t0")) == [9, 1]
    for table in both(client, "/access/tokens/?tokens-export=").values():
        assert table[0][:3] == ["Name", "Prefix", "Scopes"] and len(table) == 32
        assert "'" + EVIL[0] in {r[0] for r in table} and not any("…" in str(r[1]) for r in table)
    for table in both(client, "/access/tokens/?consents-export=").values():
        assert [r[1] for r in table[1:]] == [world["a"].credit_code]
    client.force_login(world["users"]["bank2"])  # the other bank's tokens are not in its download
    table = download(client, "/access/tokens/?tokens-export=csv", "csv")
    assert [r[0] for r in table[1:]] == ["test"]


# ---------------------------------------------------------------- ladder
def test_benefit_runs_are_all_listed(world, client):
    from innoregion.apps.ladder.models import BenefitRun

    BenefitRun.objects.bulk_create([
        BenefitRun(policy=EVIL[1] if i == 0 else "cc_new_area_2025", policy_version="1", year=2020 + i % 5,
                   budget=Decimal("1000000"), overflow="prorate", inputs_sha256="0" * 64, code_version="t",
                   started_at=timezone.now() - dt.timedelta(hours=i)) for i in range(25)])
    client.force_login(world["users"]["official"])
    html = html_of(client, "/ladder/")
    benefits = html[html.index("Benefits without application"):]
    assert totals(html) == [25] and len(body_rows(benefits)) == 25  # was cut at 20
    assert totals(html_of(client, "/ladder/?year=2021")) == [5]
    years = column(html_of(client, "/ladder/?sort=-year"), 1)
    assert years == sorted(years, reverse=True)
    for table in both(client, "/ladder/?export=").values():
        assert table[0][:2] == ["Policy", "Year"] and len(table) == 26 and "Workbook" not in table[0]
        assert "'" + EVIL[1] + " 1" in {r[0] for r in table}


# ---------------------------------------------------------------- matchmaking (public lists)
@pytest.fixture
def market(world):
    from innoregion.apps.matchmaking.models import Capability, Match, Scenario
    from innoregion.apps.region.models import Cluster

    optics = Cluster.objects.get(code="optics-valley")
    scenarios = [Scenario.objects.create(title=f"Scenario {i:02d}", description="need", owner_organisation="FAW",
                                         cluster=optics if i % 2 else None, status="published", language="en")
                 for i in range(30)]
    scenarios.append(Scenario.objects.create(title=EVIL[0], description="d", owner_organisation="o",
                                             status="published"))
    Scenario.objects.create(title="Internal draft", description="d", owner_organisation="o", status="draft")
    caps = [Capability.objects.create(enterprise=world["a"], title=f"Cap {i:02d}", description="x", maturity=1 + i % 9)
            for i in range(27)]
    Capability.objects.create(enterprise=world["b"], title="B's unreleased assay", description="x", maturity=3,
                              status="submitted")
    for i, cap in enumerate(caps):
        decided = i % 4 == 0
        Match.objects.create(scenario=scenarios[i % 3], capability=cap, rank=i, score=1 - i / 100,
                             reasons={"matched_terms": ["laser"]}, status="accepted" if decided else "proposed",
                             decided_at=timezone.now() if decided else None)
    return world


def test_scenario_list_is_public_and_downloads_what_the_visitor_may_see(market, client):
    html = html_of(client, "/matchmaking/")
    assert totals(html) == [31] and len(body_rows(html)) == 25 and "Internal draft" not in html
    from innoregion.apps.matchmaking.models import Scenario

    titles = walk(client, "/matchmaking/?sort=title")
    assert titles == list(Scenario.objects.filter(status="published").order_by("title", "-id")
                          .values_list("title", flat=True))
    assert totals(html_of(client, "/matchmaking/?cluster=optics-valley")) == [15]
    assert totals(html_of(client, "/matchmaking/?q=scenario 1")) == [10]
    for table in both(client, "/matchmaking/?export=").values():
        assert len(table) == 32 and "Status" not in table[0]  # anonymous: published only, no status column
        titles = {r[0] for r in table}
        assert "Internal draft" not in titles and "'" + EVIL[0] in titles and EVIL[0] not in titles
    client.force_login(market["users"]["official"])
    assert totals(html_of(client, "/matchmaking/")) == [32]
    table = download(client, "/matchmaking/?export=csv", "csv")
    assert "Status" in table[0] and "Internal draft" in {r[0] for r in table}


def test_capability_list_downloads_only_visible_rows(market, client):
    assert totals(html_of(client, "/matchmaking/capabilities/")) == [27]
    assert totals(html_of(client, "/matchmaking/capabilities/?min_trl=7")) == [9]
    trl = [int(t) for t in walk(client, "/matchmaking/capabilities/?sort=-maturity", index=3)]
    assert len(trl) == 27 and trl == sorted(trl, reverse=True)
    for table in both(client, "/matchmaking/capabilities/?export=").values():
        assert table[0] == ["Title", "Enterprise", "Keywords", "TRL", "Language"] and len(table) == 28
        assert "B's unreleased assay" not in {r[0] for r in table}
    client.force_login(market["users"]["ent_b"])  # an enterprise also sees its own unpublished capability
    assert "B's unreleased assay" in {r[0] for r in download(client, "/matchmaking/capabilities/?export=csv", "csv")}
    client.force_login(market["users"]["ent_a"])
    assert "B's unreleased assay" not in {r[0] for r in download(client, "/matchmaking/capabilities/?export=xlsx",
                                                                 "xlsx")}


def test_review_list(market, client):
    from innoregion.apps.matchmaking.models import Match

    client.force_login(market["users"]["official"])
    proposed = Match.objects.filter(status="proposed").count()
    html = html_of(client, "/matchmaking/review/")
    assert totals(html) == [proposed] and proposed == 20  # the proposed ones by default
    assert totals(html_of(client, "/matchmaking/review/?status=")) == [27]
    assert totals(html_of(client, "/matchmaking/review/?status=&per_page=10")) == [27]
    assert len(walk(client, "/matchmaking/review/?status=&per_page=10")) == 27
    for table in both(client, "/matchmaking/review/?status=accepted&export=").values():
        assert table[0] == ["Scenario", "#", "Capability", "Enterprise", "Score", "Why", "Decision"]
        assert len(table) == 8 and {r[5] for r in table[1:]} == {"laser"}
        no_html(table)
    client.force_login(market["users"]["ent_a"])
    assert client.get("/matchmaking/review/?export=csv").status_code == 403


# ---------------------------------------------------------------- talent
def test_talent_registry_is_not_cut_at_500(world, client):
    from innoregion.apps.talent.models import Talent

    Talent.objects.bulk_create([Talent(tier="A" if i % 4 else EVIL[1] if i == 0 else "B",
                                       affiliation_type="enterprise", affiliation_name="FAW") for i in range(520)])
    client.force_login(world["users"]["official"])
    html = html_of(client, "/talent/registry/")
    assert totals(html) == [520] and len(body_rows(html)) == 50
    assert totals(html_of(client, "/talent/registry/?tier=A")) == [390]
    assert totals(html_of(client, f"/talent/registry/?tier={quote(EVIL[1])}")) == [1]
    ids = column(html_of(client, "/talent/registry/?sort=-id&per_page=200"), 0)
    assert ids == list(Talent.objects.order_by("-pseudonymous_id").values_list("pseudonymous_id", flat=True)[:200])
    for table in both(client, "/talent/registry/?export=").values():
        assert table[0] == ["id", "tier", "field", "cluster", "affiliation"] and len(table) == 521
        assert [r[1] for r in table if r[1] not in ("A", "B")] == ["tier", "'" + EVIL[1]]
    client.force_login(world["users"]["ent_a"])
    assert client.get("/talent/registry/?export=csv").status_code == 403
