"""An organisation's own settings, changed by its organisation manager."""

from auditlog.models import LogEntry
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pathways import scoping
from pathways.models import Organisation


@transaction.atomic
def organisation_two_factor_set(*, organisation: Organisation, required: bool, by) -> bool:
    """Make the second factor mandatory (or optional again) for every active member of `organisation`; return whether
    anything changed. Only an active manager of the organisation may (`ValidationError` otherwise, nothing written).

    Takes effect at each member's next page (`accounts.twofactor.pending_step`): a member without an authenticator
    app is sent to set one up, the manager included. Recorded in the change history (auditlog): who, when, from,
    to."""
    if not scoping.can_manage_members(by, organisation):
        raise ValidationError(_("Seul·e un·e responsable de la structure peut changer ce réglage."))
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if locked.two_factor_required == required:
        organisation.two_factor_required = required
        return False
    Organisation.objects.filter(pk=locked.pk).update(two_factor_required=required)
    LogEntry.objects.log_create(
        locked,
        action=LogEntry.Action.UPDATE,
        changes={"two_factor_required": [str(locked.two_factor_required), str(required)]},
        actor=by,
        additional_data={"event": "organisation_two_factor_set"},
        force_log=True,
    )
    organisation.two_factor_required = required
    return True
