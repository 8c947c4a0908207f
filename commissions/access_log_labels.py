"""The pages of `commissions` that write the access log, in words (`accounts.access_log.view_label`)."""

from django.utils.translation import gettext_lazy as _

VIEW_LABELS = {
    "commissions:meeting_detail": _("Ordre du jour d'une commission"),
    "commissions:item_add": _("Ajout d'une situation à l'ordre du jour"),
    "commissions:item_remove": _("Retrait d'une situation de l'ordre du jour"),
    "commissions:decision_create": _("Décision de la commission"),
    "commissions:attendance_record": _("Présences à une commission"),
    "commissions:report_list": _("Comptes rendus d'une commission"),
    "commissions:report_request": _("Demande du compte rendu d'une commission"),
    "commissions:report_download": _("Téléchargement du compte rendu d'une commission"),
}
