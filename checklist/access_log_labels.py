"""The pages of `checklist` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "checklist:list": _("Liste des check-lists"),
    "checklist:start": _("Ouverture d'une check-list"),
    "checklist:detail": _("Fiche d'une check-list"),
    "checklist:edit": _("Saisie d'une check-list"),
    "checklist:section_save": _("Enregistrement d'une section de check-list"),
    "checklist:consent_save": _("Enregistrement du consentement de la check-list"),
    "checklist:submit": _("Validation d'une check-list"),
    "checklist:pdf_request": _("Demande du PDF d'une check-list"),
    "checklist:pdf_download": _("Téléchargement du PDF d'une check-list"),
}
