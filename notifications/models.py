"""The notification outbox: one row per (cause, recipient, channel), written in the transaction of its cause and
delivered by a worker (`notifications.tasks`). The in-app inbox shows the delivered in-app rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user):
        """What `user` sees in their in-app inbox: delivered in-app notifications, newest first."""
        return self.filter(
            recipient=user, channel=Notification.Channel.IN_APP, status=Notification.Status.DELIVERED
        ).order_by("-created_at", "-pk")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def deliverable(self, now):
        """Pending rows nobody holds (never claimed, or whose claim lease ran out)."""
        return self.filter(status=Notification.Status.PENDING).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )


class Notification(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("Dans l'application")

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        DELIVERED = "delivered", _("Distribuée")
        FAILED = "failed", _("Échec")

    class Kind(models.TextChoices):
        STAGE_TRANSITION = "stage_transition", _("Étape d'un parcours")
        DRIFT_PRESUMED = "drift_presumed", _("Rupture présumée à confirmer")
        PRESUMED_ESCALATED = "presumed_escalated", _("Rupture présumée sans réponse")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("pour")
    )
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices)
    # What caused it, stable across retries: "<kind of cause>:<id>[:<step>]". With the recipient and the channel it
    # is the idempotency key of the delivery.
    cause_key = models.CharField(_("cause"), max_length=120)
    params = models.JSONField(
        _("paramètres du message"),
        default=dict,
        help_text=_("Valeurs du message (peut contenir un nom de personne : couvert par la rétention)."),
    )
    url = models.CharField(_("lien"), max_length=300, blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    claimed_until = models.DateTimeField(_("réservée jusqu'à"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("distribuée le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["cause_key", "recipient", "channel"], name="notification_one_per_cause_recipient_channel"
            ),
            models.CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False) | ~Q(status="delivered"),
                name="notification_delivered_at_when_delivered",
            ),
        ]
        indexes = [
            # the inbox and its badge: "my delivered in-app notifications, unread first"
            models.Index(fields=["recipient", "channel", "status", "read_at"], name="notification_inbox_idx"),
            # the sweeper: "pending rows, oldest first"
            models.Index(fields=["status", "created_at"], name="notification_pending_idx"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} → {self.recipient_id} ({self.get_channel_display()})"

    @property
    def idempotency_key(self) -> str:
        return f"{self.cause_key}:{self.recipient_id}:{self.channel}"

    @property
    def message(self) -> str:
        from notifications.messages import render

        return render(self)
