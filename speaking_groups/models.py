"""Speaking groups and post-rupture support (seed 000's RÉGULATION device, docs/design.md §2).

A neutral facilitator from a support structure (an organisation of kind `support`) runs a speaking group attached to
sessions of one training body: collective workshops co-led with a pedagogical manager of that body, weekly drop-in
hours, a hotline and network work; after a rupture, a post-rupture case looks for a solution.

Two commitments of the charter hold here:
- NEUTRALITÉ: what the facilitator hears is theirs. Every note (`NoteField`) is encrypted at rest and readable only
  by the facilitators of the group's support structure; the notes are in no admin, no audit log, no notification
  parameter, no to-do context. Who attended a drop-in or called the hotline is known to the support structure only.
- RÉVERSIBILITÉ: what is heard about the training itself reaches the training body, but only through a
  `FeedbackItem` the facilitator writes for that purpose (anonymised), which the pedagogical manager answers.

The group is run by its support structure: every active facilitator of that structure sees its groups, their
notes and the people enrolled in their sessions (registered with the scoping layer in `SpeakingGroupsConfig`).
Writes live in `speaking_groups.services`; the figures in `speaking_groups.stats` and `ruptures.rates`.
"""

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from encrypted_fields.fields import EncryptedTextField

from core.constraints import CheckConstraint, UniqueConstraint
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH, BoundedTextField
from pathways import scoping
from pathways.models import Membership, Organisation, ScopedQuerySet, Session, Stage
from ruptures.models import CAUSE_FAMILIES, Rupture

NOTE_MAX_LENGTH = COMMENT_MAX_LENGTH


class NoteField(EncryptedTextField):
    """A confidential note (NEUTRALITÉ): encrypted at rest (Fernet, its key derived from SECRET_KEY and
    SALT_KEY, both from the environment), bounded like every free text, empty by default."""

    def __init__(self, *args, max_length: int = NOTE_MAX_LENGTH, **kwargs):
        kwargs.setdefault("blank", True)
        kwargs.setdefault("null", True)
        super().__init__(*args, max_length=max_length, **kwargs)
        self.validators.append(MaxLengthValidator(max_length))

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return "" if value is None else value


class CauseFamily(models.TextChoices):
    """The hotline's topics: the four cause families of seed 000 (`ruptures.models.CAUSE_FAMILIES`)."""

    PROJECT = "project", CAUSE_FAMILIES["project"]
    CONTENT = "content", CAUSE_FAMILIES["content"]
    CONDITIONS = "conditions", CAUSE_FAMILIES["conditions"]
    UNFORESEEN = "unforeseen", CAUSE_FAMILIES["unforeseen"]


# --------------------------------------------------------------------------------------------------------------
# Scopes (registered with the scoping layer in `SpeakingGroupsConfig.ready`). Who reads what:
# - the facilitators of the support structure (active membership, role facilitator): everything of its groups;
# - the training body's staff: that a group exists, its workshops' calendar and slots, never who attended;
# - the pedagogical co-facilitator: also who attended the workshops (co-animation);
# - the training body's pedagogical and organisation managers: the feedback items and their answers;
# - a referent: the summaries shared with them.
# Everything else (drop-ins, hotline, network work, cases, notes) stays with the support structure.

Role = Membership.Role
TRAINING_STAFF_ROLES = frozenset({Role.TRAINER, Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})
FEEDBACK_READER_ROLES = frozenset({Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})


def support_organisations(user) -> set[int]:
    """The support structures where `user` is an active facilitator."""
    return scoping.org_ids(user, roles={Role.FACILITATOR}, kinds={Organisation.Kind.SUPPORT})


def training_bodies(user, roles=TRAINING_STAFF_ROLES) -> set[int]:
    return scoping.org_ids(user, roles=roles, kinds={Organisation.Kind.TRAINING_BODY})


def pathways_of_groups(user):
    """The pathways whose person is enrolled in a session of a group of `user`'s support structures (the
    facilitator's people), as pathway ids; None when `user` is no facilitator (registered with the scoping layer)."""
    orgs = support_organisations(user)
    if not orgs:
        return None
    return pathways_followed_by_supports(orgs)


def support_reaching(user, beneficiary):
    """The support structure through which `user` (a facilitator) reaches `beneficiary`: the one running a group
    on a session where they are enrolled (the access log's acting organisation), or None."""
    orgs = support_organisations(user)
    if not orgs:
        return None
    return (
        Organisation.objects.filter(
            pk__in=orgs,
            speaking_groups__sessions__enrolments__stage__pathway__beneficiary=beneficiary,
        )
        .order_by("pk")
        .first()
    )


def supports_reaching(beneficiary):
    """The ids of the support structures running a group on a session where `beneficiary` is enrolled (who sees
    them through a speaking group; registered with the scoping layer for the information notice)."""
    return Organisation.objects.filter(
        speaking_groups__sessions__enrolments__stage__pathway__beneficiary=beneficiary
    ).values("pk")


def pathways_followed_by_supports(organisation_ids):
    """The ids of the pathways whose person is enrolled in a session of a group of these support structures (what
    `pathways_of_groups` gives their facilitators), as a subquery: the remit of the structures' DPOs."""
    return Stage.objects.filter(enrolment__session__speaking_groups__support_organisation__in=organisation_ids).values(
        "pathway_id"
    )


def group_seen(user, group: str = "") -> Q:
    """On groups (or rows with a group: `group` is the path to it, "group__"): the groups `user` sees, those of
    their support structures and those hosted by their training bodies."""
    return Q(**{f"{group}support_organisation__in": support_organisations(user)}) | Q(
        **{f"{group}training_body__in": training_bodies(user)}
    )


class GroupQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        return self.filter(group_seen(user))

    def run_by(self, user):
        """The groups of `user`'s support structures (the facilitator's workspace)."""
        return self.filter(support_organisation__in=support_organisations(user))


class SupportQuerySet(ScopedQuerySet):
    """Rows kept by a support structure: readable only by its facilitators."""

    path = "support_organisation"

    def visible_to(self, user):
        return self.filter(**{f"{self.path}__in": support_organisations(user)})


class WorkshopQuerySet(ScopedQuerySet):
    """Workshops and drop-in slots: the calendar of the groups `user` sees (their notes are shown only to the
    facilitators, by the views: `can_read_notes`)."""

    def visible_to(self, user):
        return self.filter(group_seen(user, "group__"))


class AttendanceQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        co_run = training_bodies(user, roles={Role.PEDAGOGICAL_MANAGER})
        return self.filter(
            Q(workshop__group__support_organisation__in=support_organisations(user))
            | Q(workshop__co_facilitator=user, workshop__group__training_body__in=co_run)
            | Q(workshop__group__co_facilitator=user, workshop__group__training_body__in=co_run)
        )


class SlotQuerySet(WorkshopQuerySet):
    pass


class BookingQuerySet(SupportQuerySet):
    path = "slot__group__support_organisation"


class CaseQuerySet(SupportQuerySet):
    pass


class CaseEntryQuerySet(SupportQuerySet):
    path = "case__support_organisation"


class FeedbackQuerySet(ScopedQuerySet):
    path = "group__"

    def visible_to(self, user):
        return self.filter(
            Q(**{f"{self.path}support_organisation__in": support_organisations(user)})
            | Q(**{f"{self.path}training_body__in": training_bodies(user, roles=FEEDBACK_READER_ROLES)})
        )


class FeedbackReplyQuerySet(FeedbackQuerySet):
    path = "item__group__"


class ShareQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        if not scoping.active_memberships(user):
            return self.none()
        # Its structure and its referent read a share, and only while they still see its person.
        return self.filter(stage__pathway__in=scoping.visible_pathway_ids(user)).filter(
            Q(support_organisation__in=support_organisations(user)) | Q(recipient=user)
        )


# --------------------------------------------------------------------------------------------------------------
# The group


class SpeakingGroup(models.Model):
    support_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="speaking_groups",
        limit_choices_to={"kind": Organisation.Kind.SUPPORT},
        verbose_name=_("structure d'accompagnement"),
    )
    training_body = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="hosted_speaking_groups",
        limit_choices_to={"kind": Organisation.Kind.TRAINING_BODY},
        verbose_name=_("organisme de formation"),
    )
    name = models.CharField(_("nom"), max_length=200)
    sessions = models.ManyToManyField(Session, related_name="speaking_groups", verbose_name=_("sessions"))
    facilitators = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="facilitated_groups", verbose_name=_("intervenant·es")
    )
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="co_run_groups",
        verbose_name=_("co-animateur·rice pédagogique"),
        help_text=_("Un·e responsable pédagogique de l'organisme de formation."),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    closed_on = models.DateField(_("clos le"), null=True, blank=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        verbose_name = _("groupe de parole")
        verbose_name_plural = _("groupes de parole")
        ordering = ["name", "pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("speaking_groups:group_detail", args=[self.pk])


# --------------------------------------------------------------------------------------------------------------
# Workshops


class Workshop(models.Model):
    """A collective workshop of a group, for one of its sessions, co-led with a pedagogical manager."""

    group = models.ForeignKey(SpeakingGroup, on_delete=models.CASCADE, related_name="workshops")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="+", verbose_name=_("session"))
    date = models.DateField(_("date"))
    start_time = models.TimeField(_("début"))
    end_time = models.TimeField(_("fin"))
    theme = models.CharField(_("thème"), max_length=200)
    co_facilitator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="co_run_workshops",
        verbose_name=_("co-animateur·rice pédagogique"),
    )
    notes = NoteField(_("notes (confidentielles)"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("créé par")
    )
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("annulé le"), null=True, blank=True)

    objects = WorkshopQuerySet.as_manager()

    class Meta:
        verbose_name = _("atelier collectif")
        verbose_name_plural = _("ateliers collectifs")
        ordering = ["date", "start_time", "pk"]
        constraints = [
            CheckConstraint(
                condition=Q(end_time__gt=F("start_time")),
                name="workshop_ends_after_start",
                field="end_time",
                violation_error_message=_("L'atelier doit finir après son début."),
            ),
        ]

    def __str__(self):
        return f"{self.theme} ({self.date:%d/%m/%Y})"


class WorkshopAttendance(models.Model):
    """A person (their stage in the workshop's session) who attended a workshop."""

    workshop = models.ForeignKey(Workshop, on_delete=models.CASCADE, related_name="attendances")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AttendanceQuerySet.as_manager()

    class Meta:
        verbose_name = _("présence à un atelier")
        verbose_name_plural = _("présences aux ateliers")
        constraints = [
            UniqueConstraint(
                fields=["workshop", "stage"],
                name="workshop_attendance_once",
                violation_error_message=_("Cette personne est déjà notée présente à cet atelier."),
            ),
        ]

    def __str__(self):
        return f"{self.workshop_id} · {self.stage_id}"


# --------------------------------------------------------------------------------------------------------------
# Drop-in hours (permanences)


class DropInSlot(models.Model):
    """A weekly drop-in hour: every `weekday` from `starts_on` to `ends_on`, public holidays left out."""

    class Weekday(models.IntegerChoices):
        MONDAY = 0, _("lundi")
        TUESDAY = 1, _("mardi")
        WEDNESDAY = 2, _("mercredi")
        THURSDAY = 3, _("jeudi")
        FRIDAY = 4, _("vendredi")
        SATURDAY = 5, _("samedi")

    group = models.ForeignKey(SpeakingGroup, on_delete=models.CASCADE, related_name="drop_in_slots")
    weekday = models.PositiveSmallIntegerField(_("jour"), choices=Weekday.choices)
    start_time = models.TimeField(_("heure"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"), default=30)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    video_link = models.URLField(_("lien de visioconférence"), blank=True)
    capacity = models.PositiveSmallIntegerField(_("places"), default=4)
    starts_on = models.DateField(_("à partir du"))
    ends_on = models.DateField(_("jusqu'au"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = SlotQuerySet.as_manager()

    class Meta:
        verbose_name = _("permanence")
        verbose_name_plural = _("permanences")
        ordering = ["weekday", "start_time", "pk"]
        constraints = [
            CheckConstraint(
                condition=Q(capacity__gte=1),
                name="drop_in_slot_capacity_positive",
                field="capacity",
                violation_error_message=_("Une permanence offre au moins une place."),
            ),
            CheckConstraint(
                condition=Q(duration_minutes__gte=5, duration_minutes__lte=480),
                name="drop_in_slot_duration_bounded",
                field="duration_minutes",
                violation_error_message=_("La durée d'une permanence est comprise entre 5 minutes et 8 heures."),
            ),
            CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="drop_in_slot_ends_after_start",
                field="ends_on",
                violation_error_message=_("La permanence doit finir après son premier jour."),
            ),
            CheckConstraint(
                condition=~Q(place="", video_link=""),
                name="drop_in_slot_has_place_or_link",
                field="place",
                violation_error_message=_("Indiquez un lieu ou un lien de visioconférence."),
            ),
        ]

    def __str__(self):
        return f"{self.get_weekday_display()} {self.start_time:%H:%M}"


class DropInBooking(models.Model):
    """An individual appointment in a drop-in slot on one date, for a person of the group's sessions."""

    class RequestedVia(models.TextChoices):
        PHONE = "phone", _("La personne, par téléphone")
        TRAINER = "trainer", _("Relayée par un·e formateur·rice")
        IN_PERSON = "in_person", _("La personne, en direct")

    class Status(models.TextChoices):
        BOOKED = "booked", _("Réservé")
        ATTENDED = "attended", _("Venu·e")
        NO_SHOW = "no_show", _("Absent·e")
        CANCELLED = "cancelled", _("Annulé")

    slot = models.ForeignKey(DropInSlot, on_delete=models.CASCADE, related_name="bookings")
    date = models.DateField(_("date"))
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne"))
    requested_via = models.CharField(_("demande"), max_length=20, choices=RequestedVia.choices)
    agreement_recorded = models.BooleanField(_("accord de la personne recueilli"), default=False)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.BOOKED)
    notes = NoteField(_("notes (confidentielles)"))
    booked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    booked_at = models.DateTimeField(auto_now_add=True)
    reminded_at = models.DateTimeField(_("rappel envoyé le"), null=True, blank=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("rendez-vous de permanence")
        verbose_name_plural = _("rendez-vous de permanence")
        ordering = ["date", "slot__start_time", "pk"]
        constraints = [
            CheckConstraint(
                condition=Q(agreement_recorded=True),
                name="drop_in_booking_with_agreement",
                field="agreement_recorded",
                violation_error_message=_("Un rendez-vous se prend avec l'accord de la personne."),
            ),
            UniqueConstraint(
                fields=["slot", "date", "stage"],
                condition=~Q(status="cancelled"),
                name="drop_in_booking_once_per_date",
                field="stage",
                violation_error_message=_("Cette personne a déjà un rendez-vous à cette permanence ce jour-là."),
            ),
        ]
        indexes = [models.Index(fields=["slot", "date"], name="drop_in_booking_slot_date_idx")]

    def __str__(self):
        return f"{self.slot_id} · {self.date:%d/%m/%Y} · {self.stage_id}"


# --------------------------------------------------------------------------------------------------------------
# Hotline and network work


class HotlineCall(models.Model):
    """A call to the hotline: logged in seconds, anonymous unless linked to a known person."""

    class Urgency(models.TextChoices):
        LOW = "low", _("Faible")
        MEDIUM = "medium", _("Moyenne")
        HIGH = "high", _("Élevée")

    class Outcome(models.TextChoices):
        LISTENED = "listened", _("Écoute")
        INFORMED = "informed", _("Information donnée")
        ORIENTED = "oriented", _("Orientation vers un service")
        DROP_IN_BOOKED = "drop_in", _("Rendez-vous de permanence")
        SIGNAL = "signal", _("Signalement (décrochage ou rupture)")
        CALLBACK = "callback", _("À rappeler")

    support_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+", verbose_name=_("structure d'accompagnement")
    )
    group = models.ForeignKey(
        SpeakingGroup, on_delete=models.SET_NULL, null=True, blank=True, related_name="hotline_calls"
    )
    called_at = models.DateTimeField(_("appel reçu le"))
    duration_minutes = models.PositiveSmallIntegerField(_("durée (minutes)"))
    topic = models.CharField(_("sujet"), max_length=20, choices=CauseFamily.choices)
    urgency = models.CharField(_("urgence"), max_length=10, choices=Urgency.choices, default=Urgency.LOW)
    outcome = models.CharField(_("suite donnée"), max_length=20, choices=Outcome.choices)
    stage = models.ForeignKey(
        Stage,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("personne connue (facultatif)"),
    )
    notes = NoteField(_("notes (confidentielles)"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)

    objects = SupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("appel à la hotline")
        verbose_name_plural = _("appels à la hotline")
        ordering = ["-called_at", "-pk"]
        constraints = [
            CheckConstraint(
                condition=Q(duration_minutes__lte=600),
                name="hotline_call_duration_bounded",
                field="duration_minutes",
                violation_error_message=_("Un appel dure au plus 10 heures."),
            ),
        ]

    def __str__(self):
        return f"{self.called_at:%d/%m/%Y %H:%M} · {self.get_topic_display()}"


class NetworkContact(models.Model):
    """A contact with an outside service (housing, health, mobility, social services) for a person."""

    class Service(models.TextChoices):
        HOUSING = "housing", _("Logement")
        HEALTH = "health", _("Santé")
        MOBILITY = "mobility", _("Mobilité")
        SOCIAL = "social", _("Services sociaux")
        CHILDCARE = "childcare", _("Garde d'enfants")
        OTHER = "other", _("Autre")

    support_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne"))
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    service_name = models.CharField(_("structure contactée"), max_length=200)
    contacted_on = models.DateField(_("contacté le"))
    notes = NoteField(_("notes (confidentielles)"))
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    logged_at = models.DateTimeField(auto_now_add=True)

    objects = SupportQuerySet.as_manager()

    class Meta:
        verbose_name = _("travail en réseau")
        verbose_name_plural = _("travail en réseau")
        ordering = ["-contacted_on", "-pk"]

    def __str__(self):
        return f"{self.get_service_display()} · {self.contacted_on:%d/%m/%Y}"


# --------------------------------------------------------------------------------------------------------------
# Post-rupture cases


class PostRuptureCase(models.Model):
    """The facilitator's support after a rupture: the search for a solution, then an outcome told to the referent."""

    class Outcome(models.TextChoices):
        BACK_SAME = "back_same", _("Retour dans la même formation")
        OTHER_TRAINING = "other_training", _("Autre formation")
        JOB = "job", _("Emploi")
        OTHER_SUPPORT = "other_support", _("Autre accompagnement")
        LOST_CONTACT = "lost_contact", _("Contact perdu")

    rupture = models.OneToOneField(Rupture, on_delete=models.CASCADE, related_name="+", verbose_name=_("rupture"))
    support_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    requested_by_person = models.BooleanField(_("demandé par la personne"), default=False)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    opened_at = models.DateTimeField(_("ouvert le"), auto_now_add=True)
    notes = NoteField(_("notes (confidentielles)"))
    outcome = models.CharField(_("issue"), max_length=20, choices=Outcome.choices, blank=True)
    outcome_on = models.DateField(_("date de l'issue"), null=True, blank=True)
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    objects = CaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("intervention post-rupture")
        verbose_name_plural = _("interventions post-rupture")
        ordering = ["-opened_at", "-pk"]
        constraints = [
            CheckConstraint(
                condition=Q(outcome="", outcome_on__isnull=True) | (~Q(outcome="") & Q(outcome_on__isnull=False)),
                name="post_rupture_case_outcome_dated",
                field="outcome_on",
                violation_error_message=_("Une issue se date."),
            ),
        ]

    def __str__(self):
        return str(_("Intervention post-rupture n° %(pk)s") % {"pk": self.pk})

    def get_absolute_url(self):
        return reverse("speaking_groups:case_detail", args=[self.pk])

    @property
    def person(self):
        return self.rupture.stage.pathway.beneficiary


class CaseEntry(models.Model):
    """One step of the solution search: a contact made or a proposal made to the person."""

    class Kind(models.TextChoices):
        CONTACT = "contact", _("Contact")
        PROPOSAL = "proposal", _("Proposition")

    case = models.ForeignKey(PostRuptureCase, on_delete=models.CASCADE, related_name="entries")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    on = models.DateField(_("le"))
    text = NoteField(_("détail (confidentiel)"))
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CaseEntryQuerySet.as_manager()

    class Meta:
        verbose_name = _("étape de l'intervention")
        verbose_name_plural = _("étapes de l'intervention")
        ordering = ["on", "pk"]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.on:%d/%m/%Y}"


# --------------------------------------------------------------------------------------------------------------
# What is shared, on purpose


class FeedbackItem(models.Model):
    """RÉVERSIBILITÉ: an anonymised feedback on the training, written by a facilitator for the training body."""

    class Theme(models.TextChoices):
        PACE = "pace", _("Rythme")
        CONTENT = "content", _("Contenu")
        CLIMATE = "climate", _("Climat du groupe")
        ORGANISATION = "organisation", _("Organisation")
        OTHER = "other", _("Autre")

    group = models.ForeignKey(SpeakingGroup, on_delete=models.CASCADE, related_name="feedback_items")
    theme = models.CharField(_("thème"), max_length=20, choices=Theme.choices)
    text = BoundedTextField(_("retour pour l'organisme de formation"), max_length=COMMENT_MAX_LENGTH)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("écrit le"), auto_now_add=True)

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("retour sur la formation")
        verbose_name_plural = _("retours sur la formation")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.get_theme_display()} · {self.created_at:%d/%m/%Y}"


class FeedbackReply(models.Model):
    """The pedagogical manager's answer: what they changed."""

    item = models.ForeignKey(FeedbackItem, on_delete=models.CASCADE, related_name="replies")
    text = BoundedTextField(_("réponse"), max_length=COMMENT_MAX_LENGTH)
    written_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(_("écrite le"), auto_now_add=True)

    objects = FeedbackReplyQuerySet.as_manager()

    class Meta:
        verbose_name = _("réponse à un retour")
        verbose_name_plural = _("réponses aux retours")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.item_id} · {self.created_at:%d/%m/%Y}"


class ReferentShare(models.Model):
    """A summary shared with the pathway's referent, with the person's consent recorded for that share. The row
    is the log of the share."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+", verbose_name=_("personne"))
    support_organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("référent·e")
    )
    summary = BoundedTextField(_("synthèse partagée"), max_length=COMMENT_MAX_LENGTH)
    consent_on = models.DateField(_("accord de la personne recueilli le"))
    consent_scope = models.CharField(
        _("ce que la personne accepte de partager"), max_length=REASON_MAX_LENGTH, blank=False
    )
    shared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    shared_at = models.DateTimeField(_("partagée le"), auto_now_add=True)

    objects = ShareQuerySet.as_manager()

    class Meta:
        verbose_name = _("partage avec le ou la référent·e")
        verbose_name_plural = _("partages avec les référent·es")
        ordering = ["-shared_at", "-pk"]

    def __str__(self):
        return f"{self.stage_id} → {self.recipient_id} ({self.consent_on:%d/%m/%Y})"
