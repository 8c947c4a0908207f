"""The pages of `attendance` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "attendance:today": _("Présences du jour"),
    "attendance:sheet": _("Feuille d'émargement"),
    "attendance:sheet_all_present": _("Feuille d'émargement (tous présents)"),
    "attendance:calendar": _("Calendrier de présence d'une personne"),
    "attendance:calendar_generate": _("Génération du calendrier de présence"),
    "attendance:company_period_create": _("Ajout d'une période en entreprise"),
    "attendance:company_period_delete": _("Suppression d'une période en entreprise"),
    "attendance:slot_cancel": _("Annulation d'un créneau de présence"),
    "attendance:slot_restore": _("Rétablissement d'un créneau de présence"),
    "attendance:statements": _("États de présence mensuels"),
    "attendance:statement_download": _("Téléchargement d'un état de présence"),
    "attendance:watch_list": _("Personnes à surveiller (absences)"),
    "attendance:presumed_list": _("Abandons présumés"),
    "attendance:drift_detail": _("Fiche d'une dérive d'assiduité"),
    "attendance:drift_decide": _("Décision sur une dérive d'assiduité"),
    "attendance:follow_up_create": _("Relance d'une personne absente"),
}
