from django.urls import path

from attendance.views import calendar, drifts, sheet, statements

app_name = "attendance"

urlpatterns = [
    path("", sheet.today, name="today"),
    path("sessions/<int:pk>/jour/<str:day>/", sheet.sheet, name="sheet"),
    path("sessions/<int:pk>/jour/<str:day>/tous-presents/", sheet.sheet_all_present, name="sheet_all_present"),
    path("sessions/<int:pk>/calendrier/", calendar.calendar, name="calendar"),
    path("sessions/<int:pk>/calendrier/generer/", calendar.calendar_generate, name="calendar_generate"),
    path("sessions/<int:pk>/entreprise/", calendar.company_period_create, name="company_period_create"),
    path("entreprise/<int:pk>/supprimer/", calendar.company_period_delete, name="company_period_delete"),
    path("demi-journees/<int:pk>/annuler/", calendar.slot_cancel, name="slot_cancel"),
    path("demi-journees/<int:pk>/retablir/", calendar.slot_restore, name="slot_restore"),
    path("sessions/<int:pk>/etats/", statements.statements, name="statements"),
    path("etats/<int:pk>/telecharger/", statements.statement_download, name="statement_download"),
    path("veille/", drifts.watch_list, name="watch_list"),
    path("ruptures-presumees/", drifts.presumed_list, name="presumed_list"),
    path("decrochages/<int:pk>/", drifts.drift_detail, name="drift_detail"),
    path("decrochages/<int:pk>/relance/", drifts.follow_up_create, name="follow_up_create"),
    path("decrochages/<int:pk>/decision/", drifts.drift_decide, name="drift_decide"),
]
