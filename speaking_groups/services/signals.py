"""The person's own signal (seed 000: ruptures are identified "par le rompant lui-même" too): a hotline call from a
known person becomes, with their agreement, a drift on the training body's watch list or the start of a rupture
declaration "identified by the person". Neither says how it was heard (NEUTRALITÉ)."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from attendance.models import Drift
from attendance.services import drift_signal
from speaking_groups.models import HotlineCall


@transaction.atomic
def hotline_drift_signal(*, call: HotlineCall, by, agreed: bool) -> Drift:
    """Open a drift signalled by the person on the stage the call is linked to; the call's outcome becomes a
    signal."""
    if call.stage_id is None:
        raise ValidationError(_("Cet appel est anonyme : reliez-le d'abord à une personne connue."))
    if not agreed:
        raise ValidationError({"agreed": _("Prévenir l'organisme de formation demande l'accord de la personne.")})
    drift = drift_signal(stage=call.stage, by=by)
    HotlineCall.objects.filter(pk=call.pk).update(outcome=HotlineCall.Outcome.SIGNAL)
    return drift
