"""The talent app: models, services and pages, end to end on the test database."""

from __future__ import annotations

import base64
import datetime as dt
import os
import stat

import pytest
from django.contrib.auth.models import Permission, User
from django.urls import reverse

from innoregion.apps.access.models import AuditEntry, Profile
from innoregion.apps.region.models import Cluster, Enterprise
from innoregion.apps.talent import selectors, services
from innoregion.apps.talent.models import IssuerKey, Talent, TalentCredential, TalentPersonalData
from innoregion.data.creditcode import make_code
from innoregion.engines.credentials import KeyRing, parse_status_list, qr

pytestmark = pytest.mark.django_db

PERSON_NAME = "张伟明"
ID_NUMBER = "220104198501011234"


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # issuer key files go to a fresh folder per test
    services._nonces._seen.clear()


def _user(username, *perms):
    user = User.objects.create_user(username)  # no password: force_login, and no slow hashing
    for codename in perms:
        user.user_permissions.add(Permission.objects.get(content_type__app_label="talent", codename=codename))
    return User.objects.get(pk=user.pk)


@pytest.fixture
def people():
    return {
        "official": _user("official", "view_talent", "issue_credential", "view_talentpersonaldata"),
        "clerk": _user("clerk", "view_talent"),
        "counter": _user("counter", "verify_credential"),
        "talent": _user("talentuser"),
        "nobody": _user("nobody"),
    }


@pytest.fixture
def talent(people):
    cluster = Cluster.objects.create(code="optics-valley", kind="valley", name_zh="长春光谷")
    firm = Enterprise.objects.create(credit_code=make_code("9", "1", "220100", "MA17ABCD"), founded=dt.date(2015, 3, 1),
                                     industry="C39", cluster=cluster, name_zh="长春示例光电有限公司")
    t = Talent.objects.create(user=people["talent"], affiliation=firm, field="optoelectronics",
                              degree="doctorate", titles=["national_young_talent_program"], two_way_post=True)
    TalentPersonalData.objects.create(talent=t, name=PERSON_NAME, id_number=ID_NUMBER, phone="13900000000",
                                      birth_year=1985)
    return t


def test_talent_takes_cluster_and_affiliation_from_enterprise(talent):
    assert talent.cluster.code == "optics-valley"
    assert talent.affiliation_name == "长春示例光电有限公司"
    assert len(talent.pseudonymous_id) == 16 and talent.pseudonymous_id != ID_NUMBER
    facts = talent.facts()
    assert facts["flags"] == ["two_way_post"] and facts["age"] >= 40 and facts["degree"] == "doctorate"


def test_issue_show_verify_suspend_revoke(client, people, talent):
    official = people["official"]
    client.force_login(official)
    url = reverse("talent:action", args=[talent.pseudonymous_id])
    client.post(url, {"action": "place"})
    talent.refresh_from_db()
    assert talent.tier == "B2" and talent.catalogue_version == "changchun-new-area/2025.1"
    client.post(url, {"action": "issue"})
    credential = TalentCredential.objects.get(talent=talent)
    assert credential.status == "valid" and credential.tier == "B2"
    assert credential.issued_by == official

    # the talent sees a QR code that is a fresh presentation
    client.force_login(people["talent"])
    page = client.get(reverse("talent:my-code"))
    assert page.status_code == 200 and b"code-refresh.js" in page.content
    assert reverse("talent:my-code-png").encode() in page.content and b'data-refresh="30"' in page.content
    png = client.get(reverse("talent:my-code-png"))
    assert png["Content-Type"] == "image/png" and "no-store" in png["Cache-Control"]
    text = qr.decode_image(png.content)
    assert text.startswith("TC1:")

    # the service point verifies it: tier and services, no name
    client.force_login(people["counter"])
    res = client.post(reverse("talent:verify"), {"payload": text})
    body = res.content.decode()
    assert res.status_code == 200 and 'id="verdict"' in body
    assert res.context["result"].valid, res.context["result"].failed
    assert res.context["result"].tier == "B2"
    assert PERSON_NAME not in body and ID_NUMBER not in body
    # the same presentation again is a replay
    again = client.post(reverse("talent:verify"), {"payload": text}).context["result"]
    assert again.failed == ["replay"]

    # suspend: a new presentation fails on status
    client.force_login(official)
    client.post(url, {"action": "suspend", "credential": credential.pk, "reason": "under review"})
    credential.refresh_from_db()
    assert credential.status == "suspended"
    fresh = services.presentation_for(credential)
    client.force_login(people["counter"])
    result = client.post(reverse("talent:verify"), {"payload": fresh}).context["result"]
    assert result.failed == ["status"] and result.check("status").detail == "suspended"

    # reinstate, then revoke for good
    client.force_login(official)
    client.post(url, {"action": "reinstate", "credential": credential.pk})
    assert services.verify_text(services.presentation_for(credential)).valid
    client.post(url, {"action": "revoke", "credential": credential.pk, "reason": "left the region"})
    credential.refresh_from_db()
    assert credential.status == "revoked"
    assert services.verify_text(services.presentation_for(credential)).check("status").detail == "revoked"
    with pytest.raises(services.TalentError):
        services.set_status(credential, "valid")

    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    for expected in ("talent.place", "talent.credential.issue", "talent.credential.suspend",
                     "talent.credential.reinstate", "talent.credential.revoke", "talent.credential.verify"):
        assert expected in actions
    entry = AuditEntry.objects.filter(action="talent.credential.suspend").get()
    assert entry.actor == official and entry.after["reason"] == "under review"


def test_verify_page_accepts_an_uploaded_qr_image(client, people, talent):
    services.place(talent)
    credential = services.issue(talent)
    png = qr.to_png(services.presentation_for(credential))
    client.force_login(people["counter"])
    from django.core.files.uploadedfile import SimpleUploadedFile

    res = client.post(reverse("talent:verify"), {"image": SimpleUploadedFile("code.png", png, "image/png")})
    assert res.context["result"].valid
    bad = client.post(reverse("talent:verify"), {"image": SimpleUploadedFile("x.png", b"junk", "image/png")})
    assert bad.context["result"] is None and bad.context["error"]


def test_pages_need_the_right_permission(client, people, talent):
    assert client.get(reverse("talent:verify")).status_code == 302  # login first
    client.force_login(people["nobody"])
    assert client.get(reverse("talent:verify")).status_code == 403
    assert client.get(reverse("talent:registry")).status_code == 403
    assert client.get(reverse("talent:my-code-png")).status_code == 404  # no talent record
    client.force_login(people["clerk"])
    detail = client.get(reverse("talent:detail", args=[talent.pseudonymous_id]))
    assert detail.status_code == 200 and PERSON_NAME not in detail.content.decode()
    assert client.post(reverse("talent:action", args=[talent.pseudonymous_id]), {"action": "issue"}).status_code == 403
    client.force_login(people["official"])
    detail = client.get(reverse("talent:detail", args=[talent.pseudonymous_id]))
    assert PERSON_NAME in detail.content.decode()
    assert AuditEntry.objects.filter(action="talent.personal.view", actor=people["official"]).exists()


def test_private_keys_stay_out_of_the_database(settings, talent):
    services.place(talent)
    credential = services.issue(talent)
    key = IssuerKey.objects.get()
    path = settings.DATA_DIR / "talent-keys" / f"{key.kid}.key.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    private = services.load_private_key(services.keys_dir(), key.kid)
    private_b64 = base64.b64encode(private.private_key_bytes()).decode()
    for field in IssuerKey._meta.fields:
        assert private_b64 not in str(getattr(key, field.attname))
    # the web demo's device key is kept encrypted
    device = services._device_fernet().decrypt(credential.device_private_key.encode())
    assert base64.urlsafe_b64encode(device).decode().rstrip("=") not in credential.device_private_key


def test_key_rotation_keeps_issued_codes_valid(talent):
    services.place(talent)
    old = services.issue(talent)
    first_key = old.issuer_key
    new_key = services.create_issuer_key(kid="k-next")
    first_key.refresh_from_db()
    assert first_key.status == "retired" and first_key.verify_until >= old.expires_at
    assert services.verify_text(services.presentation_for(old)).valid  # old key still trusted
    newer = services.issue(talent)
    assert newer.issuer_key == new_key
    old.refresh_from_db()
    assert old.status == "revoked" and old.status_reason.startswith("superseded")
    assert services.verify_text(services.presentation_for(newer)).valid
    # a compromised key is dropped from the ring at once
    first_key.status = "compromised"
    first_key.save()
    assert "k-next" in services.key_ring().keys and first_key.kid not in services.key_ring().keys


def test_public_status_list_and_key_ring(client, talent):
    services.place(talent)
    credential = services.issue(talent)
    services.set_status(credential, "suspended")
    ring = KeyRing.from_json(client.get(reverse("talent:keys")).content.decode())
    token = client.get(reverse("talent:status-list", args=["talent-1"])).content.decode()
    signed = parse_status_list(token, ring)
    assert signed.status(credential.status_index) == 2
    assert client.get(reverse("talent:status-list", args=["other"])).status_code == 404


def test_region_counts(talent):
    Talent.objects.create(field="biopharma", tier="E1")
    Talent.objects.create(field="biopharma", tier="E1", startup_founder=True)
    services.place(talent)
    counts = selectors.region_counts()
    assert counts["total"] == 3
    assert counts["by_tier"] == {"B2": 1, "E1": 2}
    assert counts["by_field"] == {"biopharma": 2, "optoelectronics": 1}
    assert counts["by_cluster"] == {"": 2, "optics-valley": 1}
    assert {"tier": "B2", "cluster": "optics-valley", "count": 1} in counts["tier_by_cluster"]
    assert counts["flags"] == {"two_way_post": 1, "part_time_post": 0, "startup_founder": 1}


def test_audit_goes_to_the_platform_log(talent):
    entry = services.audit("cli", "talent.test", talent, after={"x": 1})
    assert entry.object_type == "talent.talent" and entry.object_id == str(talent.pk)
    assert entry.after == {"x": 1, "via": "cli"} and entry.enterprise_id is None  # the employer never sees it
    entry.action = "changed"
    with pytest.raises(Exception, match="append-only"):
        entry.save()


def test_platform_roles(client, talent):
    official = User.objects.create_user("bureau")
    Profile.objects.create(user=official, role="official")
    client.force_login(official)
    assert client.get(reverse("talent:registry")).status_code == 200
    detail = client.get(reverse("talent:detail", args=[talent.pseudonymous_id])).content.decode()
    assert PERSON_NAME not in detail  # officials need the personal-data permission for names
    assert client.post(reverse("talent:action", args=[talent.pseudonymous_id]), {"action": "place"}).status_code == 302
    talent.refresh_from_db()
    assert talent.tier == "B2"
    admin = User.objects.create_superuser("root", "root@example.org", None)
    client.force_login(admin)
    assert PERSON_NAME in client.get(reverse("talent:detail", args=[talent.pseudonymous_id])).content.decode()
    # a talent reaches only their own record through the choke point
    from innoregion.apps.access.policy import restrict

    other = Talent.objects.create(field="other")
    mine = restrict(Talent.objects.all(), talent.user)
    assert list(mine) == [talent] and other not in mine
