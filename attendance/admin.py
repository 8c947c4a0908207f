from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from attendance.models import AbsenceRules


@admin.register(AbsenceRules)
class AbsenceRulesAdmin(admin.ModelAdmin):
    """Absence rules of a programme, or the override of one training action; empty fields use the defaults."""

    list_display = [
        "__str__",
        "consecutive_unjustified",
        "min_attendance_rate",
        "window_days",
        "no_show_first_day",
        "reminders_before_presumed",
        "drift_working_days",
        "presumed_escalation_working_days",
    ]
    list_select_related = ["programme", "training_action"]
    autocomplete_fields = ["programme", "training_action"]
    fieldsets = [
        (_("S'applique à"), {"fields": ["programme", "training_action"]}),
        (
            _("Règles d'absence"),
            {"fields": ["consecutive_unjustified", "min_attendance_rate", "window_days", "no_show_first_day"]},
        ),
        (
            _("Relances et escalade"),
            {"fields": ["reminders_before_presumed", "drift_working_days", "presumed_escalation_working_days"]},
        ),
    ]
