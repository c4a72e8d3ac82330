"""Financing services: submit and move applications along; every change is audited and needs the
enterprise's active consent to the bank."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from innoregion.apps.access import audit
from innoregion.apps.access.models import Consent
from innoregion.apps.access.policy import allowed
from innoregion.apps.access.selectors import active_consent
from innoregion.apps.finance.models import CreditApplication, PledgeApplication
from innoregion.apps.points import selectors as points_selectors


def _consent_for(enterprise, bank) -> Consent:
    consent = active_consent(enterprise, bank, "summary")
    if consent is None:
        raise ValidationError(_("Grant this bank consent (at least the summary scope) before applying."))
    return consent


def _check_enterprise_actor(actor, enterprise) -> None:
    if not allowed(actor, "finance.apply", enterprise):
        raise PermissionDenied(_("Only the enterprise itself can apply."))


@transaction.atomic
def submit_credit_application(enterprise, bank, amount: Decimal, actor, term_months: int = 12):
    _check_enterprise_actor(actor, enterprise)
    if Decimal(amount) <= 0:
        raise ValidationError(_("The amount must be positive."))
    consent = _consent_for(enterprise, bank)
    score = points_selectors.scores_for([enterprise.pk]).get(enterprise.pk, {})
    app = CreditApplication.objects.create(enterprise=enterprise, bank=bank, consent=consent, amount=amount,
                                           term_months=term_months, submitted_by=actor,
                                           points_at_application=score.get("points"),
                                           tier_at_application=score.get("tier", ""))
    audit.record(actor, "finance.credit.submit", app, enterprise=enterprise, bank=bank, consent=consent,
                 after=audit.snapshot(app))
    return app


@transaction.atomic
def submit_pledge_application(enterprise, bank, kind: str, pledged: str, amount: Decimal, actor):
    _check_enterprise_actor(actor, enterprise)
    if kind not in PledgeApplication.Kind.values:
        raise ValidationError(_("Unknown pledge kind."))
    if Decimal(amount) <= 0:
        raise ValidationError(_("The amount must be positive."))
    if not pledged.strip():
        raise ValidationError(_("Describe the pledged IP or equity."))
    consent = _consent_for(enterprise, bank)
    app = PledgeApplication.objects.create(enterprise=enterprise, bank=bank, consent=consent, amount=amount,
                                           kind=kind, pledged=pledged.strip(), submitted_by=actor)
    audit.record(actor, "finance.pledge.submit", app, enterprise=enterprise, bank=bank, consent=consent,
                 after=audit.snapshot(app))
    return app


@transaction.atomic
def update_application(app, actor, status: str | None = None, registration_status: str | None = None,
                       registration_number: str | None = None):
    """The bank (of the application) records its decision or the pledge registration it obtained."""
    if not allowed(actor, "finance.decide_application", app):
        raise PermissionDenied(_("Only the bank of the application can update it."))
    before = audit.snapshot(app)
    fields = []
    if status:
        app.status = status
        fields.append("status")
    if isinstance(app, PledgeApplication) and (registration_status or registration_number is not None):
        if registration_status:
            app.registration_status = registration_status
            fields.append("registration_status")
        if registration_number is not None:
            app.registration_number = registration_number
            fields.append("registration_number")
        app.registration_updated_at = timezone.now()
        fields.append("registration_updated_at")
    if fields:
        app.save(update_fields=[*fields, "updated_at"])
        audit.record(actor, "finance.application.update", app, enterprise=app.enterprise_id, bank=app.bank_id,
                     consent=app.consent_id, before=before, after=audit.snapshot(app))
    return app
