"""Alerts (docs/design.md §8, floor 4): the signal sent to the partners about a stage, its acknowledgement, the actions
taken, the routing an organisation chooses, escalation and the inbox. Sources (ruptures, the pre-entry checklist, …)
register an alert kind (`alerts.registry`) and raise alerts through `alerts.services.alert_raise`."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Cast, Substr
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from alerts.registry import funder_kinds
from core import constraints
from core.text import BoundedTextField
from notifications.models import Notification
from pathways import scoping
from pathways.models import Organisation, ScopedQuerySet


class AlertQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `AlertsConfig.ready`): alerts on pathways the user sees now, and, for a funder's
        regional officer, the alerts of the kinds that tell the funder on the stages their organisation funds;
        except those a hold keeps from the user's organisation (the charter gate), but for their author. Having
        been sent an alert grants nothing: the access ends with the membership."""
        if not scoping.active_memberships(user):
            return self.none()
        condition = Q(stage__pathway__in=scoping.visible_pathway_ids(user))
        if scoping.funding_organisations(user):
            condition |= Q(kind__in=funder_kinds()) & scoping.funded(user, stage="stage__")
        # The held alerts, read once as a set of ids (not a subquery per alert matching "alert:<id>", which the
        # planner priced as one probe per alert: at 10,000 alerts, a cost that set off PostgreSQL's JIT compiler).
        prefix = "alert:"
        held = (
            Notification.objects.filter(
                status=Notification.Status.HELD, held_for__in=scoping.org_ids(user), cause_key__startswith=prefix
            )
            .annotate(alert_id=Cast(Substr("cause_key", len(prefix) + 1), models.BigIntegerField()))
            .values("alert_id")
        )
        return self.filter(condition).exclude(Q(pk__in=held) & ~Q(raised_by=user))

    def with_list_data(self):
        """What the inbox and the home pages show of each alert, read with it."""
        return self.select_related("stage__pathway__beneficiary", "stage__organisation", "raised_by", "inbox")


class Alert(models.Model):
    """The signal sent to the partners about a stage (a rupture, risks found by the pre-entry checklist, …); the
    inbox organisation acknowledges it and records what it did. Its `kind` is one registered in `alerts.registry`
    by the app that raises it; the source (a rupture, a checklist revision) points to its alert."""

    class Status(models.TextChoices):
        NEW = "new", _("Nouvelle")
        ACKNOWLEDGED = "acknowledged", _("Prise en compte")
        ACTED = "acted", _("Action engagée")

    kind = models.CharField(_("type"), max_length=30, help_text=_("Un type d'alerte enregistré par son application."))
    topic = models.CharField(
        _("objet"),
        max_length=30,
        blank=True,
        help_text=_("Le code propre à la source (par exemple la nature de la rupture), pour les listes et messages."),
    )
    stage = models.ForeignKey(
        "pathways.Stage", on_delete=models.PROTECT, related_name="alerts", verbose_name=_("étape")
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("émise par"),
        help_text=_("Qui a déclaré la rupture ou transmis la check-list."),
    )
    inbox = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="alerts",
        verbose_name=_("boîte d'alertes"),
        help_text=_("Le prescripteur du parcours, ou à défaut l'organisme de formation."),
    )
    status = models.CharField(_("statut"), max_length=15, choices=Status.choices, default=Status.NEW)
    created_at = models.DateTimeField(_("émise le"), auto_now_add=True)
    acknowledged_at = models.DateTimeField(_("prise en compte le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    escalated_at = models.DateTimeField(_("signalée aux responsables le"), null=True, blank=True)

    objects = AlertQuerySet.as_manager()

    class Meta:
        db_table = "ruptures_alert"  # the table it had in `ruptures`, kept
        verbose_name = _("alerte")
        verbose_name_plural = _("alertes")
        ordering = ["-created_at", "-pk"]
        constraints = [
            constraints.CheckConstraint(
                condition=Q(status="new", acknowledged_at__isnull=True)
                | (~Q(status="new") & Q(acknowledged_at__isnull=False)),
                name="alert_acknowledged_at_iff_acknowledged",
                violation_error_message=_("Une alerte prise en compte a une date de prise en compte, et elle seule."),
            ),
        ]
        indexes = [
            # the prescriber inbox: "my organisation's alerts, newest first"; the escalation job: "still new"
            models.Index(fields=["inbox", "status", "-created_at"], name="alert_inbox_idx"),
        ]

    def __str__(self):
        return f"{self.summary} · {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("alerts:alert_detail", args=[self.pk])

    @property
    def kind_spec(self):
        from alerts.registry import alert_kind

        return alert_kind(self.kind)

    @property
    def tells_funder(self) -> bool:
        """Whether the stage's funder's regional officers hear of it (a rupture does; a checklist's risks stay
        between the partners who follow the person)."""
        return self.kind_spec.tells_funder

    @property
    def summary(self) -> str:
        """What the alert is about, for lists and messages, in the reader's language: the rupture's nature, or
        "risk before entry"."""
        return self.kind_spec.summary(self.topic)


# An action's note is a few sentences, read by every partner of the pathway.
NOTE_MAX_LENGTH = 2000


class AlertAction(models.Model):
    """What the prescriber did about an alert."""

    class Kind(models.TextChoices):
        CALLED = "called", _("Personne appelée")
        MEETING = "meeting", _("Rendez-vous planifié")
        SOLUTION = "solution", _("Solution proposée")
        REORIENTATION = "reorientation", _("Réorientation")
        SUSPENSION = "suspension", _("Suspension convenue")
        NO_ACTION = "no_action", _("Pas d'action")

    alert = models.ForeignKey(Alert, on_delete=models.CASCADE, related_name="actions", verbose_name=_("alerte"))
    kind = models.CharField(_("action"), max_length=15, choices=Kind.choices)
    note = BoundedTextField(
        _("précisions"),
        blank=True,
        max_length=NOTE_MAX_LENGTH,
        help_text=_("Obligatoire pour « pas d'action ». Factuel, sans donnée de santé."),
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("par")
    )

    class Meta:
        db_table = "ruptures_alertaction"  # the table it had in `ruptures`, kept
        verbose_name = _("action sur une alerte")
        verbose_name_plural = _("actions sur les alertes")
        ordering = ["at", "pk"]
        constraints = [
            constraints.CheckConstraint(
                condition=~Q(kind="no_action") | Q(note__gt=""),
                name="alertaction_no_action_has_a_reason",
                violation_error_code="note_required",
                violation_error_message=_("Dites pourquoi aucune action n'est engagée."),
                field="note",
            ),
        ]

    def __str__(self):
        return self.get_kind_display()


class AlertRouting(models.Model):
    """How an organisation receives its alerts, set by its manager."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="alert_routing", verbose_name=_("structure")
    )
    all_advisers = models.BooleanField(
        _("prévenir tous les conseiller·ères"),
        default=False,
        help_text=_("Sinon, seul·e le ou la conseiller·ère du parcours est prévenu·e (et la boîte commune)."),
    )
    managers = models.BooleanField(_("prévenir aussi les responsables de la structure"), default=False)
    shared_mailbox = models.BooleanField(
        _("envoyer aussi un e-mail à la boîte d'alertes de la structure"),
        default=True,
        help_text=_("L'adresse est celle de la fiche de la structure."),
    )

    class Meta:
        db_table = "ruptures_alertrouting"  # the table it had in `ruptures`, kept
        verbose_name = _("acheminement des alertes")
        verbose_name_plural = _("acheminements des alertes")

    def __str__(self):
        return str(self.organisation)
