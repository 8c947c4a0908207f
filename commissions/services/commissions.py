"""Setting up a basin's commission: its member organisations, their delegates, its cadence and usual place."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from commissions.models import Commission, Delegate
from pathways.models import Basin, Membership


def default_name(basin: Basin) -> str:
    return _("Commission technique du bassin de %(basin)s") % {"basin": basin.name}


@transaction.atomic
def commission_setup(
    *,
    basin: Basin,
    by,
    organisations,
    delegates,
    cadence_weeks: int,
    usual_place: str = "",
    video_link: str = "",
    waiting_threshold_days: int = 30,
    name: str = "",
) -> Commission:
    """Create or update the basin's commission. `delegates` are active memberships in the member organisations
    (their person represents that organisation); every organisation of the region may be a member."""
    organisations = list(organisations)
    delegates = list(delegates)
    if any(org.region_id != basin.region_id for org in organisations):
        raise ValidationError({"organisations": _("Les structures membres sont de la région du bassin.")})
    member_ids = {org.pk for org in organisations}
    active_ids = set(Membership.objects.active().filter(pk__in=[m.pk for m in delegates]).values_list("pk", flat=True))
    for membership in delegates:
        if membership.organisation_id not in member_ids or membership.pk not in active_ids:
            raise ValidationError(
                {"delegates": _("Un·e délégué·e est un membre en activité d'une des structures membres.")}
            )
    commission = Commission.objects.select_for_update().filter(basin=basin).first()
    if commission is None:
        commission = Commission(basin=basin, created_by=by)
    commission.name = name or commission.name or default_name(basin)
    commission.cadence_weeks = cadence_weeks
    commission.usual_place = usual_place
    commission.video_link = video_link
    commission.waiting_threshold_days = waiting_threshold_days
    commission.full_clean()
    commission.save()
    commission.organisations.set(organisations)
    wanted = {(m.organisation_id, m.user_id) for m in delegates}
    existing = {(d.organisation_id, d.user_id): d.pk for d in commission.delegates.all()}
    Delegate.objects.filter(pk__in=[pk for key, pk in existing.items() if key not in wanted]).delete()
    Delegate.objects.bulk_create(
        [Delegate(commission=commission, organisation_id=o, user_id=u) for o, u in sorted(wanted - set(existing))]
    )
    return commission
