"""The notification outbox: one row per (cause, recipient, channel), written in the transaction of its cause and
delivered by a worker (`notifications.tasks`). The in-app inbox shows the delivered in-app rows."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.constraints import CheckConstraint, UniqueConstraint
from pathways import scoping
from pathways.models import ScopedQuerySet, Stage


class NotificationQuerySet(models.QuerySet):
    def inbox(self, user):
        """What `user` sees in their in-app inbox: delivered in-app notifications, newest first."""
        return self.filter(
            recipient=user, channel=Notification.Channel.IN_APP, status=Notification.Status.DELIVERED
        ).order_by("-created_at", "-pk")

    def unread(self):
        return self.filter(read_at__isnull=True)

    def with_named(self, user):
        """Annotate `named`: whether `user` may read the row's content now. A notification about a person's stage
        is readable while the user's active memberships let them see that person (the scoping layer,
        `pathways.scoping.readable_stages`); having once been told grants nothing. With no active membership,
        nothing is readable."""
        if not scoping.active_memberships(user):
            return self.annotate(named=models.Value(False))
        readable = Q(stage__isnull=True) | Q(stage__in=scoping.readable_stages(user).values("pk"))
        return self.annotate(named=models.ExpressionWrapper(readable, output_field=models.BooleanField()))

    def deliverable(self, now):
        """Pending rows nobody holds (never claimed, or whose claim lease ran out). `services.claim_cause` writes the
        same condition in SQL: change both together."""
        return self.filter(status=Notification.Status.PENDING).filter(
            Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
        )


class Notification(models.Model):
    class Channel(models.TextChoices):
        IN_APP = "in_app", _("Dans l'application")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("À envoyer")
        DELIVERED = "delivered", _("Distribuée")
        FAILED = "failed", _("Échec")
        # An alert addressed to an organisation without a valid charter signature, in a region that requires one:
        # kept, and delivered as soon as the organisation signs (charter.gate).
        HELD = "held", _("En attente de signature")

    # A person, or an organisation's shared alert mailbox (then only `organisation` is set, e-mail channel).
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="notifications",
        verbose_name=_("pour"),
    )
    organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("boîte d'alertes de"),
    )
    # A person followed (a beneficiary, who has no account): e-mail or SMS only, to their own address (a drop-in
    # appointment's confirmation and reminder). Their message names no one and gives no cause.
    beneficiary = models.ForeignKey(
        "pathways.Beneficiary",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pour la personne accompagnée"),
    )
    # "user:<id>", "inbox:<organisation id>" or "person:<beneficiary id>": with the cause and the channel, the row's
    # identity.
    recipient_key = models.CharField(max_length=40)
    channel = models.CharField(_("canal"), max_length=10, choices=Channel.choices, default=Channel.IN_APP)
    # A kind registered by the app that causes it (`notifications.kinds`).
    kind = models.CharField(_("type"), max_length=30)
    # What caused it, stable across retries: "<kind of cause>:<id>[:<step>]". With the recipient and the channel it
    # is the idempotency key of the delivery.
    cause_key = models.CharField(_("cause"), max_length=120)
    params = models.JSONField(
        _("paramètres du message"),
        default=dict,
        help_text=_("Valeurs du message (peut contenir un nom de personne : couvert par la rétention)."),
    )
    url = models.CharField(_("lien"), max_length=300, blank=True)
    stage = models.ForeignKey(
        "pathways.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("étape concernée"),
        help_text=_(
            "L'étape de la personne dont parle la notification : son contenu n'est lu que par qui voit encore "
            "cette personne."
        ),
    )
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    claimed_until = models.DateTimeField(_("réservée jusqu'à"), null=True, blank=True)
    last_error = models.TextField(_("dernière erreur"), blank=True)
    held_for = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("retenue pour"),
        help_text=_("La structure dont la signature de la charte est attendue (reste noté après la libération)."),
    )
    released_at = models.DateTimeField(_("libérée le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    delivered_at = models.DateTimeField(_("distribuée le"), null=True, blank=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            UniqueConstraint(
                fields=["cause_key", "recipient_key", "channel"],
                name="notification_one_per_cause_recipient_channel",
                violation_error_message=_("Cette notification existe déjà pour ce ou cette destinataire et ce canal."),
            ),
            CheckConstraint(
                condition=Q(recipient__isnull=False, organisation__isnull=True, beneficiary__isnull=True)
                | Q(recipient__isnull=True, organisation__isnull=False, beneficiary__isnull=True, channel="email")
                | Q(
                    recipient__isnull=True,
                    organisation__isnull=True,
                    beneficiary__isnull=False,
                    channel__in=["email", "sms"],
                ),
                name="notification_person_or_inbox_mailbox",
                violation_error_message=_(
                    "Une notification va à une personne, par e-mail à la boîte d'alertes d'une structure, ou par "
                    "e-mail ou SMS à une personne accompagnée."
                ),
            ),
            CheckConstraint(
                condition=Q(status="delivered", delivered_at__isnull=False) | ~Q(status="delivered"),
                name="notification_delivered_at_when_delivered",
                violation_error_message=_("Une notification remise a une date de remise."),
            ),
            CheckConstraint(
                condition=~Q(status="held") | Q(held_for__isnull=False, released_at__isnull=True),
                name="notification_held_for_an_organisation",
                violation_error_message=_(
                    "Une notification retenue l'est pour une structure et n'est pas encore libérée."
                ),
            ),
        ]
        indexes = [
            # the inbox and its badge: "my delivered in-app notifications, unread first"
            models.Index(fields=["recipient", "channel", "status", "read_at"], name="notification_inbox_idx"),
            # the sweeper: "pending rows, oldest first"
            models.Index(fields=["status", "created_at"], name="notification_pending_idx"),
            # the charter gate: "rows held for these organisations" (release, counts per organisation)
            models.Index(fields=["held_for", "status"], name="notification_held_idx"),
        ]

    def __str__(self):
        return f"{self.kind_label} → {self.recipient_id} ({self.get_channel_display()})"

    @property
    def kind_label(self) -> str:
        from notifications.kinds import is_registered, notification_kind

        return str(notification_kind(self.kind).label) if is_registered(self.kind) else self.kind

    @property
    def idempotency_key(self) -> str:
        """Stable across retries and workers: the e-mail Message-ID and the SMS provider's idempotency key."""
        return f"{self.cause_key}:{self.recipient_key}:{self.channel}"

    @property
    def message(self) -> str:
        """The in-app text, in the current language (it may name the person: show it only to a reader who still
        sees them, `NotificationQuerySet.with_named`)."""
        from notifications.kinds import is_registered, notification_kind

        if not is_registered(self.kind):
            return self.kind
        return notification_kind(self.kind).message(self.params or {})


class TodoQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `NotificationsConfig.ready`): a to-do is its owner's, and only while their active
        memberships let them see the person it is about (deactivation ends it at once)."""
        if not scoping.active_memberships(user):
            return self.none()
        visible = scoping.stages_for_user(Stage.objects.all(), user).values("pk")
        return self.filter(owner=user).filter(Q(stage__isnull=True) | Q(stage__in=visible))

    def open(self):
        return self.filter(done_at__isnull=True, cancelled_at__isnull=True)


class Todo(models.Model):
    """Something a person has to do by a date (a checklist's follow-up action, later a commission's decision), in
    their to-do list. `source_key` names what it comes from; there is one to-do per source."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="todos", verbose_name=_("pour")
    )
    title = models.CharField(_("à faire"), max_length=300)
    context = models.CharField(
        _("contexte"), max_length=300, blank=True, help_text=_("Par exemple la personne et la check-list concernées.")
    )
    due_on = models.DateField(_("pour le"))
    url = models.CharField(_("lien"), max_length=300, blank=True)
    stage = models.ForeignKey(
        "pathways.Stage",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("étape concernée"),
        help_text=_("L'étape de la personne concernée : la chose à faire ne se voit que tant que la personne se voit."),
    )
    source_key = models.CharField(_("origine"), max_length=120, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    done_at = models.DateTimeField(_("faite le"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("relance envoyée le"), null=True, blank=True)

    objects = TodoQuerySet.as_manager()

    class Meta:
        verbose_name = _("chose à faire")
        verbose_name_plural = _("choses à faire")
        ordering = ["due_on", "pk"]
        indexes = [
            # the to-do list and the overdue job: "open to-dos of this owner / overdue, by due date"
            models.Index(fields=["owner", "done_at", "cancelled_at", "due_on"], name="todo_open_idx"),
        ]

    def __str__(self):
        return f"{self.title} · {self.due_on}"

    @property
    def is_open(self) -> bool:
        return self.done_at is None and self.cancelled_at is None


class ChannelPreference(models.Model):
    """Whether a person wants notifications on a channel beyond the in-app inbox (always on).

    Without a row, the default applies: e-mail on, SMS off (`NOTIFICATIONS_DEFAULT_CHANNELS`).
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="channel_preferences")
    channel = models.CharField(_("canal"), max_length=10, choices=Notification.Channel.choices)
    enabled = models.BooleanField(_("activé"))

    class Meta:
        verbose_name = _("préférence de notification")
        verbose_name_plural = _("préférences de notification")
        constraints = [
            UniqueConstraint(
                fields=["user", "channel"],
                name="channelpreference_one_per_channel",
                violation_error_message=_("Cette personne a déjà une préférence pour ce canal."),
                field="channel",
            ),
            CheckConstraint(
                condition=~Q(channel="in_app"),
                name="channelpreference_not_in_app",
                violation_error_message=_(
                    "Les notifications dans l'application sont toujours actives : elles n'ont pas de préférence."
                ),
                field="channel",
            ),
        ]

    def __str__(self):
        return f"{self.user_id} · {self.channel} · {self.enabled}"
