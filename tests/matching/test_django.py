import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from innoregion.data.creditcode import make_code

pytestmark = pytest.mark.django_db


def _enterprise(i, cluster=None, zone=None):
    from innoregion.apps.region.models import Enterprise

    return Enterprise.objects.create(credit_code=make_code("9", "1", "220100", f"{i:08d}"), name_zh=f"企业{i}",
                                     name_en=f"Firm {i}", founded=dt.date(2018, 1, 1), industry="C39",
                                     cluster=cluster, zone=zone)


@pytest.fixture
def world(lexical_only):
    from innoregion.apps.access import services as access
    from innoregion.apps.access.models import Role
    from innoregion.apps.matchmaking.models import Capability, Scenario
    from innoregion.apps.region.models import Cluster, Zone
    from innoregion.apps.region.services import load_reference_data

    load_reference_data()
    optics, pharma = Cluster.objects.get(code="optics-valley"), Cluster.objects.get(code="pharma-valley")
    north, south = Zone.objects.get(code="north"), Zone.objects.get(code="south")
    a, b = _enterprise(1, optics, north), _enterprise(2, pharma, south)
    caps = {
        "laser": Capability.objects.create(enterprise=a, title="高功率光纤激光器", maturity=8,
                                           description="1至12千瓦光纤激光器，用于动力电池托盘焊接。", language="zh"),
        "weld": Capability.objects.create(enterprise=a, title="레이저 용접 공정 개발", maturity=6,
                                          description="배터리 부품 레이저 용접 조건 개발과 품질 검증.", keywords=["laser"]),
        "cold": Capability.objects.create(enterprise=b, title="Vaccine cold chain", maturity=9,
                                          description="2-8 °C pharmaceutical cold-chain logistics."),
        "draft": Capability.objects.create(enterprise=b, title="Unreleased assay", maturity=3,
                                           description="Chemiluminescence immunoassay kits.",
                                           status=Capability.Status.SUBMITTED),
    }
    scenario = Scenario.objects.create(title="Laser welding of battery trays", owner_organisation="FAW",
                                       description="We need fiber laser welding for aluminium battery trays.",
                                       cluster=optics, zone=north, status=Scenario.Status.PUBLISHED)
    draft = Scenario.objects.create(title="内部草稿：疫苗冷链", owner_organisation="新区科技局",
                                    description="疫苗冷链配送需求", status=Scenario.Status.DRAFT)
    pw = "x-Very-long-pass-123"
    users = {"official": access.create_user("off", pw, Role.OFFICIAL),
             "ent_a": access.create_user("enta", pw, Role.ENTERPRISE, enterprise=a),
             "ent_b": access.create_user("entb", pw, Role.ENTERPRISE, enterprise=b)}
    return {"a": a, "b": b, "caps": caps, "scenario": scenario, "draft": draft, "users": users,
            "optics": optics, "north": north}


def test_models_validate_budget_trl_and_decisions(world):
    from innoregion.apps.matchmaking.models import Capability, Match, Scenario

    s = Scenario(title="t", description="d", owner_organisation="o", budget_min=10, budget_max=5)
    with pytest.raises(ValidationError):
        s.full_clean()
    with transaction.atomic(), pytest.raises(IntegrityError):
        Scenario.objects.create(title="t", description="d", owner_organisation="o", budget_min=10, budget_max=5)
    with transaction.atomic(), pytest.raises(IntegrityError):
        Capability.objects.create(enterprise=world["a"], title="x", description="y", maturity=12)
    with transaction.atomic(), pytest.raises(IntegrityError):  # decided without a time
        Match.objects.create(scenario=world["scenario"], capability=world["caps"]["cold"], score=1,
                             status=Match.Status.ACCEPTED)


def test_services_propose_explained_matches_and_keep_decisions(world):
    from innoregion.apps.matchmaking import services
    from innoregion.apps.matchmaking.models import Match

    scenario, caps = world["scenario"], world["caps"]
    proposed = services.propose_matches(scenario, top_k=2)
    assert [m.capability_id for m in proposed][:1] in ([caps["laser"].pk], [caps["weld"].pk])
    assert caps["draft"].pk not in {m.capability_id for m in Match.objects.all()}  # unpublished
    m = proposed[0]
    assert m.reasons["matched_terms"] and "lexical_z" in m.component_scores and m.status == "proposed"
    services.decide(m, world["users"]["official"], accept=True, note="good")
    again = services.propose_matches(scenario, top_k=2)
    m.refresh_from_db()
    assert m.status == "accepted" and m.decided_at is not None and m not in again
    # filters stored on the scenario are applied: only enterprises of another cluster -> nothing
    scenario.candidate_filters = {"cluster": ["no-such-cluster"]}
    scenario.save()
    assert services.propose_matches(scenario) == []


def test_garbage_scenario_text_is_a_typed_error(world):
    from innoregion.apps.matchmaking import services
    from innoregion.apps.matchmaking.models import Scenario
    from innoregion.engines.matching import MatchingTextError

    bad = Scenario.objects.create(title="###", description="!!! 123", owner_organisation="x", status="published")
    with pytest.raises(MatchingTextError):
        services.propose_matches(bad)
    assert services.propose_all()["failed"] == [bad.pk]


def test_public_lists_show_published_items_only(world, client):
    page = client.get(reverse("matchmaking:scenarios")).content.decode()
    assert "Laser welding of battery trays" in page and "内部草稿" not in page
    assert client.get(reverse("matchmaking:scenario", args=[world["draft"].pk])).status_code == 404
    page = client.get(reverse("matchmaking:capabilities")).content.decode()
    assert "高功率光纤激光器" in page and "Unreleased assay" not in page
    page = client.get(reverse("matchmaking:capabilities"), {"q": "cold"}).content.decode()
    assert "Vaccine cold chain" in page and "高功率光纤激光器" not in page
    page = client.get(reverse("matchmaking:capabilities"), {"cluster": "optics-valley", "min_trl": "7"}).content.decode()
    assert "高功率光纤激光器" in page and "레이저 용접" not in page and "Vaccine" not in page


@pytest.mark.parametrize("lang", ["zh-hans", "ko", "en"])
def test_pages_render_in_the_three_languages(world, client, lang):
    client.force_login(world["users"]["official"])
    for name in ("matchmaking:scenarios", "matchmaking:capabilities", "matchmaking:review", "matchmaking:scenario-new"):
        resp = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE=lang)
        assert resp.status_code == 200
        assert f'<html lang="{lang}">' in resp.content.decode()


def test_official_publishes_a_scenario_and_matches_are_proposed(world, client):
    from innoregion.apps.matchmaking.models import Scenario

    client.force_login(world["users"]["official"])
    resp = client.post(reverse("matchmaking:scenario-new"), {
        "title": "전기차 배터리 트레이 레이저 용접", "description": "파이버 레이저 용접 공정이 필요합니다.",
        "owner_organisation": "완성차 업체", "cluster": world["optics"].pk, "zone": world["north"].pk,
        "budget_min": "100", "budget_max": "300", "deadline": "2027-06-30", "language": "", "status": "published",
        "restrict_to_cluster": "on", "min_ladder_rung": ""})
    assert resp.status_code == 302
    s = Scenario.objects.get(title__startswith="전기차")
    assert s.candidate_filters == {"cluster": ["optics-valley"]} and s.created_by == world["users"]["official"]
    assert s.language == "ko"  # told from the text when left empty
    assert {m.capability_id for m in s.matches.all()} == {world["caps"]["laser"].pk, world["caps"]["weld"].pk}
    # garbage text is refused by the form, not a crash
    resp = client.post(reverse("matchmaking:scenario-new"), {
        "title": "@@@", "description": "### 000", "owner_organisation": "x", "status": "published"})
    assert resp.status_code == 200 and not resp.context["form"].is_valid()
    assert "garbage" in str(resp.context["form"].non_field_errors())  # the engine's typed error, shown


def test_enterprise_submits_capabilities_for_its_own_enterprise_only(world, client):
    from innoregion.apps.matchmaking.models import Capability

    client.force_login(world["users"]["ent_b"])
    resp = client.post(reverse("matchmaking:capability-new"), {
        "title": "化学发光免疫试剂", "description": "心肌标志物化学发光试剂开发。", "maturity": "6", "references": "",
        "language": "", "keywords_text": "IVD，化学发光"})
    assert resp.status_code == 302
    cap = Capability.objects.get(title="化学发光免疫试剂")
    assert cap.enterprise == world["b"] and cap.keywords == ["IVD", "化学发光"] and cap.language == "zh"
    # B cannot edit A's capability; officials cannot use the enterprise form; anonymous is sent to log in
    assert client.get(reverse("matchmaking:capability-edit", args=[world["caps"]["laser"].pk])).status_code == 404
    client.force_login(world["users"]["official"])
    assert client.get(reverse("matchmaking:capability-new")).status_code == 403
    client.logout()
    assert client.get(reverse("matchmaking:capability-new")).status_code == 302


def test_caseworker_reviews_and_learns(world, client):
    from innoregion.apps.access.models import AuditEntry
    from innoregion.apps.matchmaking import services
    from innoregion.apps.matchmaking.models import RerankerModel

    proposed = services.propose_matches(world["scenario"], top_k=3)
    client.force_login(world["users"]["ent_a"])
    assert client.get(reverse("matchmaking:review")).status_code == 403
    assert client.post(reverse("matchmaking:decide", args=[proposed[0].pk]), {"decision": "accept"}).status_code == 403
    client.force_login(world["users"]["official"])
    page = client.get(reverse("matchmaking:review")).content.decode()
    assert proposed[0].capability.title in page and proposed[0].reasons["matched_terms"][0] in page
    resp = client.post(reverse("matchmaking:decide", args=[proposed[0].pk]),
                       {"decision": "reject", "note": "no", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == reverse("matchmaking:review")  # no open redirect
    proposed[0].refresh_from_db()
    assert proposed[0].status == "rejected" and proposed[0].decided_by == world["users"]["official"]
    assert AuditEntry.objects.filter(action="matchmaking.match.decide").exists()
    assert client.post(reverse("matchmaking:train")).status_code == 302
    row = RerankerModel.objects.get()
    assert not row.active and "not enough decisions" in row.report["reason"]


def test_train_reranker_switches_on_only_when_held_out_scenarios_improve(world):
    from innoregion.apps.matchmaking import selectors, services
    from innoregion.apps.matchmaking.models import Capability, Match, Scenario

    # 12 scenarios x 4 decided matches; caseworkers accept exactly the ones the dense-free score put
    # last, with high similarity: a signal in the components that the fused score does not carry
    now = timezone.now()
    cap_ids = [c.pk for c in Capability.objects.all()]
    for i in range(12):
        s = Scenario.objects.create(title=f"s{i}", description="laser", owner_organisation="o", status="published")
        for r, cid in enumerate(cap_ids):
            accepted = r == 3
            Match.objects.create(
                scenario=s, capability_id=cid, rank=r + 1, score=1.0 - r * 0.1, decided_at=now,
                status="accepted" if accepted else "rejected",
                component_scores={"lexical": 1.0, "lexical_z": 1.0 - r * 0.1, "dense_z": 0.0, "fused": 1.0 - r * 0.1,
                                  "similarity": 0.9 if accepted else 0.1 + 0.01 * i, "same_language": 1.0,
                                  "matched_terms": 2})
    row = services.train_reranker(min_decisions=20, min_groups=5)
    assert row.active and row.model and row.report["delta"] > 0
    assert selectors.active_reranker() is not None
    engine = services.get_engine()
    assert engine.reranker is not None
    proposals = engine.match("laser welding")
    assert proposals and proposals[0].method == "fusion+reranker"
