"""Basin commissions (seed 000's PROXIMITÉ, issue 19): a technical commission per employment basin gathers its
member organisations' delegates every few weeks to review the cases that need several partners.

- `Commission`: one per basin, set up by the region's regional staff (the regional officers of the region's scheme
  organisation) or the basin's coordinator: member organisations, their delegates, a cadence, a usual place.
- `Meeting`: a dated meeting; its agenda (`AgendaItem`) is proposed by `commissions.agenda` when it is created; the
  coordinator keeps, removes or adds items. During the meeting: attendance (`MeetingAttendance`) and decisions
  (`Decision`), which become their owners' to-dos (`notifications.todos`).

Who sees what (the scoping layer, registered in `CommissionsConfig.ready`): a commission is read by its managers and
by its delegates while their membership in a member organisation is active. A named case is shown only to readers
the scoping layer lets see the person; every other reader gets the meeting's pseudonym ("Personne 7").
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from pathways import scoping
from pathways.models import Basin, Membership, Organisation, ScopedQuerySet, Session, Stage

Role = Membership.Role


# --------------------------------------------------------------------------------------------------------------
# Who manages and who reads a commission


def managed_basin_ids(user) -> set[int]:
    """The basins whose commission `user` sets up and runs: every basin of the regions whose scheme organisation
    they are a regional officer of, and the basins they coordinate (no query: memberships are read once)."""
    basins = {m.basin_id for m in scoping.active_memberships(user) if m.role == Role.BASIN_COORDINATOR}
    regions = {
        m.organisation.region_id
        for m in scoping.active_memberships(user)
        if m.role == Role.REGIONAL_OFFICER and m.organisation.region.scheme_organisation_id == m.organisation_id
    }
    if regions:
        basins |= set(Basin.objects.filter(region__in=regions).values_list("pk", flat=True))
    return basins


def is_funder_only(user) -> bool:
    """A reader who is in no organisation but funders: checklist risks are never shown to them."""
    memberships = scoping.active_memberships(user)
    return all(m.organisation.kind == Organisation.Kind.FUNDER for m in memberships)


class CommissionQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope: the commissions `user` manages, and those they are a delegate of through an active membership
        in the member organisation."""
        if not scoping.active_memberships(user):
            return self.none()
        return self.filter(
            Q(basin__in=managed_basin_ids(user))
            | Q(pk__in=Delegate.objects.filter(user=user, organisation__in=scoping.org_ids(user)).values("commission"))
        )


class Commission(models.Model):
    basin = models.OneToOneField(Basin, on_delete=models.PROTECT, related_name="commission", verbose_name=_("bassin"))
    name = models.CharField(_("nom"), max_length=150)
    cadence_weeks = models.PositiveSmallIntegerField(
        _("rythme (en semaines)"), default=6, help_text=_("Une réunion toutes les N semaines.")
    )
    usual_place = models.CharField(_("lieu habituel"), max_length=250, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    waiting_threshold_days = models.PositiveSmallIntegerField(
        _("attente signalée au-delà de (jours)"),
        default=30,
        help_text=_("Une personne sans étape en cours depuis plus longtemps est proposée à l'ordre du jour."),
    )
    organisations = models.ManyToManyField(
        Organisation, blank=True, related_name="commissions", verbose_name=_("structures membres")
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = CommissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("commission de bassin")
        verbose_name_plural = _("commissions de bassin")
        ordering = ["basin__name"]
        constraints = [
            CheckConstraint(
                condition=Q(cadence_weeks__gte=1, cadence_weeks__lte=52),
                name="commission_cadence_in_range",
                violation_error_message=_("Le rythme va d'une semaine à 52 semaines."),
                field="cadence_weeks",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("commissions:commission_detail", args=[self.pk])


class Delegate(models.Model):
    """A person who represents a member organisation at the commission (while their membership there is active)."""

    commission = models.ForeignKey(Commission, on_delete=models.CASCADE, related_name="delegates")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="commission_delegations")

    class Meta:
        verbose_name = _("délégué·e")
        verbose_name_plural = _("délégué·es")
        constraints = [
            UniqueConstraint(
                fields=["commission", "organisation", "user"],
                name="delegate_once_per_organisation",
                violation_error_message=_("Cette personne représente déjà cette structure."),
            ),
        ]
        indexes = [
            # the scope: "the commissions this user is a delegate of"
            models.Index(fields=["user", "organisation"], name="delegate_user_idx"),
        ]

    def __str__(self):
        return f"{self.user} · {self.organisation}"


def active_delegates(commission):
    """The delegates whose membership in their organisation is active (the others are invited to nothing)."""
    active = Membership.objects.active().filter(
        user=models.OuterRef("user"), organisation=models.OuterRef("organisation")
    )
    return (
        Delegate.objects.filter(commission=commission, user__is_active=True)
        .filter(models.Exists(active))
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name", "user__first_name", "pk")
    )


class MeetingQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(commission__in=Commission.objects.visible_to(user).values("pk"))


class Meeting(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("Prévue")
        HELD = "held", _("Tenue")
        CANCELLED = "cancelled", _("Annulée")

    commission = models.ForeignKey(Commission, on_delete=models.PROTECT, related_name="meetings")
    starts_at = models.DateTimeField(_("date et heure"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=120)
    place = models.CharField(_("lieu"), max_length=250, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(_("statut"), max_length=10, choices=Status.choices, default=Status.PLANNED)
    # The calendar entry's SEQUENCE: raised at each change, so that a re-sent invitation updates the same entry.
    sequence = models.PositiveIntegerField(default=0)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set by `services.meetings.meeting_cancel` (who, when, why): a cancelled meeting keeps its agenda and the
    # to-dos of its decisions, read-only.
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancel_reason = models.CharField(
        _("motif de l'annulation"),
        max_length=300,
        blank=True,
        help_text=_("Facultatif, envoyé aux délégué·es : sans nom de personne ni information de santé."),
    )

    objects = MeetingQuerySet.as_manager()

    class Meta:
        verbose_name = _("réunion de commission")
        verbose_name_plural = _("réunions de commission")
        ordering = ["-starts_at", "-pk"]
        constraints = [
            CheckConstraint(
                condition=Q(duration_minutes__gte=15, duration_minutes__lte=600),
                name="meeting_duration_in_range",
                violation_error_message=_("Une réunion dure entre 15 minutes et 10 heures."),
                field="duration_minutes",
            ),
        ]
        indexes = [
            # the commission's calendar and "the previous meeting": "meetings of this commission by date"
            models.Index(fields=["commission", "starts_at"], name="meeting_commission_idx"),
            # the reminder job: "planned meetings starting tomorrow, not reminded"
            models.Index(fields=["status", "starts_at"], name="meeting_status_idx"),
        ]

    def __str__(self):
        return f"{self.commission} · {self.starts_at:%d/%m/%Y}"

    def get_absolute_url(self):
        return reverse("commissions:meeting_detail", args=[self.pk])

    @property
    def ends_at(self):
        from datetime import timedelta

        return self.starts_at + timedelta(minutes=self.duration_minutes)


class AgendaItem(models.Model):
    class Kind(models.TextChoices):
        RUPTURE = "rupture", _("Rupture sans suite")
        ALERT = "alert", _("Alerte non traitée")
        SUSPENSION = "suspension", _("Suspension dont la reprise est dépassée")
        ENDING = "ending", _("Fin d'étape proche sans suite prévue")
        WAITING = "waiting", _("Attente longue")
        CHECKLIST = "checklist", _("Risque de check-list dont l'action est en retard")
        OPEN_PLACES = "open_places", _("Places ouvertes")
        DECISION = "decision", _("Décision encore ouverte")
        OTHER = "other", _("Autre point")

    # Kinds about a person (shown named or pseudonymised).
    PERSON_KINDS = {Kind.RUPTURE, Kind.ALERT, Kind.SUSPENSION, Kind.ENDING, Kind.WAITING, Kind.CHECKLIST}

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    kind = models.CharField(_("type"), max_length=15, choices=Kind.choices)
    # What the item is about: one of these, or none (a point added by the coordinator).
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    decision = models.ForeignKey(
        "commissions.Decision", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    # A date (rupture, planned resume, end, alert), and a number (days waited, open places), by kind.
    on = models.DateField(null=True, blank=True)
    figure = models.IntegerField(null=True, blank=True)
    title = models.CharField(
        _("intitulé"),
        max_length=200,
        blank=True,
        help_text=_("Pour un point ajouté : son objet, sans nom de personne."),
    )
    proposed = models.BooleanField(_("proposé automatiquement"), default=True)
    removed_at = models.DateTimeField(_("retiré le"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("point de l'ordre du jour")
        verbose_name_plural = _("points de l'ordre du jour")
        ordering = ["pk"]
        constraints = [
            UniqueConstraint(
                fields=["meeting", "kind", "stage"],
                condition=Q(stage__isnull=False),
                name="agendaitem_once_per_stage",
                violation_error_message=_("Ce cas est déjà à l'ordre du jour."),
            ),
            UniqueConstraint(
                fields=["meeting", "session"],
                condition=Q(session__isnull=False),
                name="agendaitem_once_per_session",
                violation_error_message=_("Cette session est déjà à l'ordre du jour."),
            ),
            UniqueConstraint(
                fields=["meeting", "decision"],
                condition=Q(decision__isnull=False),
                name="agendaitem_once_per_decision",
                violation_error_message=_("Cette décision est déjà à l'ordre du jour."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.meeting_id}"


class MeetingAttendance(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendances")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    present = models.BooleanField(_("présent·e"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("présence en commission")
        verbose_name_plural = _("présences en commission")
        constraints = [
            UniqueConstraint(
                fields=["meeting", "organisation", "user"],
                name="meetingattendance_once",
                violation_error_message=_("La présence de cette personne est déjà notée."),
            ),
        ]

    def __str__(self):
        return f"{self.meeting_id} · {self.user_id} · {self.present}"


class Decision(models.Model):
    """What the commission decided on an item: an action, its owner, a due date (a to-do of its owner)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="decisions")
    item = models.ForeignKey(AgendaItem, on_delete=models.CASCADE, related_name="decisions")
    action = models.CharField(
        _("action décidée"), max_length=300, help_text=_("Factuelle, sans nom ni information de santé.")
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("qui")
    )
    due_on = models.DateField(_("pour le"))
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("décision de commission")
        verbose_name_plural = _("décisions de commission")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.action} · {self.due_on}"

    @property
    def source_key(self) -> str:
        return decision_source_key(self.pk)


def decision_source_key(pk) -> str:
    """The to-do source of a decision (`notifications.todos.todo_set`)."""
    return f"commission-decision:{pk}"


def can_manage(user, basin) -> bool:
    """Sets up the basin's commission, plans its meetings, edits their agendas and records them."""
    return getattr(basin, "pk", basin) in managed_basin_ids(user)


# --------------------------------------------------------------------------------------------------------------
# The commission report (a PDF built by a worker: `commissions.report`)


class CommissionReport(Document):
    """The report of a meeting, built by a worker (`core.documents`). Two versions: the members' version names a
    reviewed case where *the requester* may see the person (it is built with their scope, and only they download
    it); the wide-distribution version pseudonymises every case and names no one (anyone who sees the meeting
    shares it). `stage` tells the meeting page how far the build has gone."""

    class Version(models.TextChoices):
        MEMBERS = "members", _("Version des membres")
        WIDE = "wide", _("Version pour diffusion large")

    class Language(models.TextChoices):
        FR = "fr", _("Français")
        EN = "en", _("Anglais")

    class Progress(models.TextChoices):
        QUEUED = "queued", _("En attente")
        FIGURES = "figures", _("Chiffres du bassin")
        CHARTS = "charts", _("Graphiques")
        CASES = "cases", _("Cas examinés")
        RENDERING = "rendering", _("Mise en page")

    UPLOAD_FOLDER = "commissions"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="reports")
    version = models.CharField(_("version"), max_length=10, choices=Version.choices)
    language = models.CharField(_("langue"), max_length=5, choices=Language.choices, default=Language.FR)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("demandé par")
    )
    stage = models.CharField(_("étape"), max_length=10, choices=Progress.choices, default=Progress.QUEUED)
    # Builds started (each claim by a worker); the sweeper gives up past REPORT_MAX_ATTEMPTS.
    attempts = models.PositiveSmallIntegerField(default=0)

    class Meta(Document.Meta):
        verbose_name = _("rapport de commission")
        verbose_name_plural = _("rapports de commission")
        constraints = [
            # Two requests for the same report while one is built share it (commissions.report.report_request).
            UniqueConstraint(
                fields=["meeting", "version", "language", "requested_by"],
                condition=Q(status="pending", version="members"),
                name="commissionreport_one_pending_members",
                violation_error_message=_("Ce rapport est déjà en préparation."),
            ),
            UniqueConstraint(
                fields=["meeting", "version", "language"],
                condition=Q(status="pending", version="wide"),
                name="commissionreport_one_pending_wide",
                violation_error_message=_("Ce rapport est déjà en préparation."),
            ),
        ]
        indexes = [
            # the sweeper: "pending documents, oldest first"
            models.Index(fields=["status", "requested_at"], name="commissionreport_pending_idx"),
            # the meeting page: "this meeting's reports, newest first"
            models.Index(fields=["meeting", "requested_at"], name="commissionreport_meeting_idx"),
        ]

    def __str__(self):
        return f"{self.meeting} · {self.get_version_display()} · {self.get_status_display()}"

    @property
    def is_members(self) -> bool:
        return self.version == self.Version.MEMBERS

    @property
    def progress_step(self) -> int:
        """How many of the build's stages have started (0 while queued, 4 while rendering), for a <progress>."""
        return list(self.Progress.values).index(self.stage)

    @property
    def progress_steps(self) -> int:
        return len(self.Progress.values) - 1
