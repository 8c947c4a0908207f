"""The referent hears on the day a suspended stage is due to resume."""

import datetime

from django.utils import timezone

from notifications.models import Notification
from ruptures import services
from ruptures.models import Rupture
from tests.ruptures.declaring import declare


def test_the_referent_is_reminded_on_the_planned_resumption_day_once(world):
    resume = timezone.localdate() + datetime.timedelta(days=3)
    declare(
        world,
        kind=Rupture.Kind.INTERRUPTION,
        main_cause="conditions.health",
        identified_by=Rupture.IdentifiedBy.PERSON,
        planned_resume=resume,
    )
    assert services.resumptions_remind(today=resume - datetime.timedelta(days=1)) == 0
    services.resumptions_remind(today=resume)
    services.resumptions_remind(today=resume)
    reminders = Notification.objects.filter(kind="resume_due")
    assert list(reminders.values_list("recipient", flat=True)) == [world.pathway.referent_id]
