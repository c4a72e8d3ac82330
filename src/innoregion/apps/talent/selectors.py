"""Reads of the talent registry for pages and APIs: counts by tier, field and cluster."""

from __future__ import annotations

from django.db.models import Count
from django.utils import timezone

from innoregion.apps.talent.models import Talent, TalentCredential


def region_counts(talents=None, credentials=None) -> dict:
    """Talents by tier, by field, by cluster, and tier × cluster; unplaced talents under tier ''.

    ``talents`` / ``credentials``: querysets to count over (the API passes them through ``restrict``);
    all talents and codes by default."""
    qs = Talent.objects.all() if talents is None else talents
    credentials = TalentCredential.objects.all() if credentials is None else credentials
    by_tier = dict(qs.values_list("tier").annotate(n=Count("pk")).order_by("tier"))
    by_field = dict(qs.values_list("field").annotate(n=Count("pk")).order_by("field"))
    by_cluster = {code or "": n for code, n in
                  qs.values_list("cluster__code").annotate(n=Count("pk")).order_by("cluster__code")}
    cross = [{"tier": t, "cluster": c or "", "count": n} for t, c, n in
             qs.values_list("tier", "cluster__code").annotate(n=Count("pk")).order_by("tier", "cluster__code")]
    valid_codes = credentials.filter(status=TalentCredential.Status.VALID, expires_at__gt=timezone.now()).count()
    return {"total": qs.count(), "by_tier": by_tier, "by_field": by_field, "by_cluster": by_cluster,
            "tier_by_cluster": cross, "valid_codes": valid_codes,
            "flags": {"two_way_post": qs.filter(two_way_post=True).count(),
                      "part_time_post": qs.filter(part_time_post=True).count(),
                      "startup_founder": qs.filter(startup_founder=True).count()}}
