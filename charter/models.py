"""The charter of good practice (seed 000, PRÉVENTION): its versions and their commitments, the organisations'
signatures and what happened to them afterwards, the reminders sent, the signed copies built by a worker.

The charter belongs to a region: each region has its own versions (numbered from 1 in the region), drafted and
published by the organisation that runs the scheme there (`Region.scheme_organisation`); an organisation signs its
region's version in force, and only that region's publications concern it.

A version's text per language is data (the `_fr` and `_en` fields); the French text is authoritative: it is what is
signed and hashed (`CharterVersion.signed_text`). A published version never changes; a signature never changes
(both enforced by database triggers, see migration 0003). What happens to a signature later is a list of
append-only events, and its status is derived from them (`Signature.status`).
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.languages import localized
from core.constraints import CheckConstraint, UniqueConstraint
from core.models import Document
from core.text import COMMENT_MAX_LENGTH, DOCUMENT_MAX_LENGTH, BoundedTextField
from pathways import scoping
from pathways.models import ScopedQuerySet

# The alphabet of verification codes: no 0/O, 1/I/L, U, so a code read aloud or copied by hand is not misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 10


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(code: str) -> str:
    """What a person types or scans (spaces, dashes, lower case) → the stored code."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    """ABCDE-FGHJK: easier to read aloud and to copy."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


class CharterVersionQuerySet(models.QuerySet):
    def published(self):
        return self.filter(published_at__isnull=False)

    def drafts(self):
        return self.filter(published_at__isnull=True)

    def of_region(self, region):
        """The versions of `region` (a Region or its id)."""
        return self.filter(region=region)

    def current(self, region):
        """The version in force in `region` (a Region or its id): the last one it published (None before its first
        publication)."""
        return self.of_region(region).published().select_related("region").order_by("-number").first()

    def current_by_region(self, region_ids) -> dict:
        """{region id: its version in force} for `region_ids`, in one query (regions without one are left out)."""
        current = {}
        for version in self.published().filter(region__in=list(region_ids)).select_related("region"):
            known = current.get(version.region_id)
            if known is None or version.number > known.number:
                current[version.region_id] = version
        return current


class CharterVersion(models.Model):
    region = models.ForeignKey(
        "pathways.Region", on_delete=models.PROTECT, related_name="charter_versions", verbose_name=_("région")
    )
    number = models.PositiveSmallIntegerField(_("numéro"), help_text=_("Numérotée à partir de 1 dans chaque région."))
    title_fr = models.CharField(_("titre (français)"), max_length=200, default="Charte des bonnes pratiques")
    title_en = models.CharField(_("titre (anglais)"), max_length=200, blank=True)
    preamble_fr = BoundedTextField(_("préambule (français)"), max_length=DOCUMENT_MAX_LENGTH, blank=True)
    preamble_en = BoundedTextField(_("préambule (anglais)"), max_length=DOCUMENT_MAX_LENGTH, blank=True)
    renewal_grace_days = models.PositiveSmallIntegerField(
        _("délai de renouvellement (jours)"),
        default=90,
        help_text=_("Fixé à la publication : pendant ce délai, la signature d'une version antérieure reste valable."),
    )
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("préparée par"),
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("publiée par"),
    )

    objects = CharterVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("version de la charte")
        verbose_name_plural = _("versions de la charte")
        ordering = ["region", "-number"]
        constraints = [
            # also serves "the versions of a region, newest first" (the version in force, the next number)
            UniqueConstraint(
                fields=["region", "number"],
                name="charterversion_one_number_per_region",
                violation_error_message=_("Cette région a déjà une version de la charte de ce numéro."),
                field="number",
            ),
            CheckConstraint(
                condition=Q(number__gt=0),
                name="charterversion_number_positive",
                violation_error_message=_("Les versions de la charte sont numérotées à partir de 1."),
                field="number",
            ),
            CheckConstraint(
                condition=Q(renewal_grace_days__gt=0, renewal_grace_days__lte=365),
                name="charterversion_grace_1_to_365_days",
                violation_error_message=_("Le délai de renouvellement va de 1 à 365 jours."),
                field="renewal_grace_days",
            ),
            CheckConstraint(
                condition=Q(published_at__isnull=True) | Q(published_by__isnull=False) | Q(number=1),
                name="charterversion_published_by_someone",
                violation_error_message=_("Une version publiée dit qui l'a publiée."),
            ),
        ]

    def __str__(self):
        return _("%(title)s, version %(number)s") % {"title": self.title, "number": self.number}

    def get_absolute_url(self):
        return reverse("charter:version_detail", args=[self.region.code, self.number])

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def preamble(self) -> str:
        return localized(self, "preamble")

    def signed_text(self, commitments=None) -> str:
        """The exact French text an organisation signs, and whose SHA-256 digest the signature records.

        `commitments` may be given (already fetched, in order) to spare a query.
        """
        if commitments is None:
            commitments = self.commitments.order_by("position")
        parts = [f"{self.title_fr.strip()} — version {self.number}"]
        if self.preamble_fr.strip():
            parts.append(normalize_text(self.preamble_fr))
        parts += [f"{c.position}. {c.title_fr.strip()} : {normalize_text(c.text_fr)}" for c in commitments]
        return "\n\n".join(parts) + "\n"

    def content_text(self, commitments=None) -> str:
        """The signed text without its version line: what two versions are compared on (the draft's diff, "nothing
        new to sign")."""
        return self.signed_text(commitments).split("\n\n", 1)[-1]


def normalize_text(text: str) -> str:
    """One way to write a text whatever the browser sent: Unix line ends, no trailing spaces, no blank edges."""
    lines = (line.rstrip() for line in (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return "\n".join(lines).strip()


def digest_of(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class Commitment(models.Model):
    """One of the charter's commitments. Its `code` is stable across versions, so indicators can hang on it."""

    version = models.ForeignKey(
        CharterVersion, on_delete=models.CASCADE, related_name="commitments", verbose_name=_("version")
    )
    position = models.PositiveSmallIntegerField(_("rang"))
    code = models.SlugField(_("code"), max_length=40, help_text=_("Stable d'une version à l'autre (indicateurs)."))
    title_fr = models.CharField(_("intitulé (français)"), max_length=100)
    title_en = models.CharField(_("intitulé (anglais)"), max_length=100, blank=True)
    text_fr = BoundedTextField(_("engagement (français)"), max_length=COMMENT_MAX_LENGTH)
    text_en = BoundedTextField(_("engagement (anglais)"), max_length=COMMENT_MAX_LENGTH, blank=True)

    class Meta:
        verbose_name = _("engagement")
        verbose_name_plural = _("engagements")
        ordering = ["version", "position"]
        constraints = [
            UniqueConstraint(
                fields=["version", "position"],
                name="commitment_one_per_position",
                violation_error_message=_("Deux engagements d'une version ne peuvent pas occuper la même place."),
                field="position",
            ),
            UniqueConstraint(
                fields=["version", "code"],
                name="commitment_one_per_code",
                violation_error_message=_("Deux engagements d'une version ne peuvent pas avoir le même code."),
                field="code",
            ),
            CheckConstraint(
                condition=Q(position__gt=0),
                name="commitment_position_positive",
                violation_error_message=_("Les engagements sont numérotés à partir de 1."),
                field="position",
            ),
        ]

    def __str__(self):
        return f"{self.position}. {self.title_fr}"

    @property
    def title(self) -> str:
        return localized(self, "title")

    @property
    def text(self) -> str:
        return localized(self, "text")


class SignatureQuerySet(ScopedQuerySet):
    def visible_to(self, user):
        """The scope (registered in `CharterConfig.ready`): an organisation's signatures are read by its members and
        by the regional staff (regional officers, basin coordinators of a funder) of its region; a platform
        administrator reads them all, as in the admin, to decide where no organisation may
        (`charter.services.can_decide`)."""
        from charter.services import is_platform_admin, regions_followed

        if is_platform_admin(user):
            return self
        return self.filter(
            Q(organisation__in=scoping.org_ids(user)) | Q(organisation__region__in=regions_followed(user))
        )

    def with_history(self):
        """With the events the status is derived from (and what the signature's page shows of them)."""
        events = SignatureEvent.objects.select_related("by_organisation", "new_version")
        return self.select_related("version__region", "organisation__region__scheme_organisation").prefetch_related(
            Prefetch("events", events)
        )


class Signature(models.Model):
    """An organisation's signature of one version, by its legal representative. Never changed once made."""

    class Status(models.TextChoices):
        PENDING = "pending", _("En attente de validation")
        VALIDATED = "validated", _("Validée")
        REFUSED = "refused", _("Refusée")
        TO_RENEW = "to_renew", _("À renouveler")
        WITHDRAWN = "withdrawn", _("Retirée")

    version = models.ForeignKey(
        CharterVersion, on_delete=models.PROTECT, related_name="signatures", verbose_name=_("version")
    )
    organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        related_name="charter_signatures",
        verbose_name=_("structure"),
    )
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("signée par")
    )
    signatory_name = models.CharField(_("nom du ou de la signataire"), max_length=200)
    signatory_function = models.CharField(_("fonction"), max_length=200)
    consent = models.BooleanField(_("consentement exprès"))
    signed_at = models.DateTimeField(_("signée le"), default=timezone.now)
    signed_text = models.TextField(_("texte signé"), help_text=_("Le texte français exact qui a été signé."))
    digest = models.CharField(_("empreinte SHA-256"), max_length=64)
    code = models.CharField(_("code de vérification"), max_length=CODE_LENGTH, unique=True)

    objects = SignatureQuerySet.as_manager()

    class Meta:
        verbose_name = _("signature de la charte")
        verbose_name_plural = _("signatures de la charte")
        ordering = ["-signed_at"]
        constraints = [
            UniqueConstraint(
                fields=["version", "organisation"],
                name="signature_one_per_organisation_and_version",
                violation_error_message=_("Cette structure a déjà signé cette version de la charte."),
            ),
            CheckConstraint(
                condition=Q(consent=True),
                name="signature_with_consent",
                violation_error_message=_("Cochez la case pour engager votre structure."),
                field="consent",
            ),
            CheckConstraint(
                condition=~Q(signatory_name="") & ~Q(signatory_function=""),
                name="signature_names_its_signatory",
                violation_error_message=_("Une signature donne le nom et la fonction de son ou sa signataire."),
                field="signatory_name",
            ),
            CheckConstraint(
                condition=Q(digest__regex=r"^[0-9a-f]{64}$"),
                name="signature_digest_is_sha256",
                violation_error_message=_("L'empreinte du texte signé n'est pas valide."),
            ),
        ]
        indexes = [
            # the organisation's charter status: "the signatures of these organisations, newest version first"
            models.Index(fields=["organisation", "version"], name="signature_organisation_idx"),
        ]

    def __str__(self):
        return f"{self.organisation} · v{self.version.number}"

    def get_absolute_url(self):
        return reverse("charter:signature_detail", args=[self.pk])

    def clean(self):
        # An organisation signs its own region's charter.
        if self.version_id and self.organisation_id and self.version.region_id != self.organisation.region_id:
            raise ValidationError(
                {"version": _("Cette version est celle d'une autre région que celle de la structure.")},
                code="version_of_another_region",
            )

    @property
    def formatted_code(self) -> str:
        return format_code(self.code)

    @property
    def verification_url(self) -> str:
        return settings.SITE_URL.rstrip("/") + reverse("charter:verify", args=[self.code])

    def history(self) -> list["SignatureEvent"]:
        """The events in the order they happened (prefetched by `with_history`)."""
        return sorted(self.events.all(), key=lambda e: (e.at, e.pk))

    def _last(self, *kinds):
        return next((e for e in reversed(self.history()) if e.kind in kinds), None)

    @property
    def decision(self) -> "SignatureEvent | None":
        """The validation or refusal (by the region's scheme organisation, or a platform administrator), if any."""
        return self._last(SignatureEvent.Kind.VALIDATED, SignatureEvent.Kind.REFUSED)

    @property
    def withdrawal(self) -> "SignatureEvent | None":
        return self._last(SignatureEvent.Kind.WITHDRAWN)

    @property
    def renewal(self) -> "SignatureEvent | None":
        return self._last(SignatureEvent.Kind.TO_RENEW)

    @property
    def status(self) -> str:
        """Derived from the events: withdrawn and refused are final; a newer version makes the others to renew."""
        if self.withdrawal is not None:
            return self.Status.WITHDRAWN
        decision = self.decision
        if decision is not None and decision.kind == SignatureEvent.Kind.REFUSED:
            return self.Status.REFUSED
        if self.renewal is not None:
            return self.Status.TO_RENEW
        if decision is not None:
            return self.Status.VALIDATED
        return self.Status.PENDING

    def get_status_display(self) -> str:
        return self.Status(self.status).label

    @property
    def valid_until(self) -> datetime.date | None:
        """The end of the renewal grace period of a signature to renew (None otherwise)."""
        renewal = self.renewal
        return renewal.valid_until if renewal is not None else None

    def is_valid(self, today: datetime.date | None = None) -> bool:
        """Whether the signature commits the organisation today: signed (validated or not yet), or to renew and
        still within the grace period set when the newer version was published."""
        status = self.status
        if status in (self.Status.PENDING, self.Status.VALIDATED):
            return True
        if status == self.Status.TO_RENEW:
            return (today or timezone.localdate()) <= self.valid_until
        return False


class SignatureEvent(models.Model):
    """What happened to a signature after it was made. Append-only (a database trigger refuses updates)."""

    class Kind(models.TextChoices):
        VALIDATED = "validated", _("Validée")
        REFUSED = "refused", _("Refusée")
        WITHDRAWN = "withdrawn", _("Retirée par la structure")
        TO_RENEW = "to_renew", _("À renouveler (nouvelle version publiée)")

    signature = models.ForeignKey(
        Signature, on_delete=models.PROTECT, related_name="events", verbose_name=_("signature")
    )
    kind = models.CharField(_("événement"), max_length=20, choices=Kind.choices)
    at = models.DateTimeField(_("le"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    by_organisation = models.ForeignKey(
        "pathways.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("au nom de"),
    )
    reason = BoundedTextField(_("motif"), max_length=COMMENT_MAX_LENGTH, blank=True)
    # To renew: the version that replaced the signed one, and the end of the grace period.
    new_version = models.ForeignKey(
        CharterVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("nouvelle version"),
    )
    valid_until = models.DateField(_("valable jusqu'au"), null=True, blank=True)

    class Meta:
        verbose_name = _("événement de signature")
        verbose_name_plural = _("événements de signature")
        ordering = ["at", "pk"]
        constraints = [
            CheckConstraint(
                condition=~Q(kind__in=["refused", "withdrawn"]) | ~Q(reason=""),
                name="signatureevent_reason_for_refusal_and_withdrawal",
                violation_error_message=_("Indiquez le motif du refus ou du retrait."),
                field="reason",
            ),
            CheckConstraint(
                condition=(Q(kind="to_renew") & Q(valid_until__isnull=False) & Q(new_version__isnull=False))
                | (~Q(kind="to_renew") & Q(valid_until__isnull=True) & Q(new_version__isnull=True)),
                name="signatureevent_grace_iff_to_renew",
                violation_error_message=_(
                    "Une signature à renouveler a une nouvelle version et une fin de validité, et elle seule."
                ),
            ),
            # One decision, one withdrawal, one renewal per signature: a second click changes nothing.
            UniqueConstraint(
                fields=["signature"],
                condition=Q(kind__in=["validated", "refused"]),
                name="signatureevent_one_decision",
                violation_error_message=_("Cette signature a déjà été validée ou refusée."),
            ),
            UniqueConstraint(
                fields=["signature"],
                condition=Q(kind="withdrawn"),
                name="signatureevent_one_withdrawal",
                violation_error_message=_("Cette signature a déjà été retirée."),
            ),
            UniqueConstraint(
                fields=["signature"],
                condition=Q(kind="to_renew"),
                name="signatureevent_one_renewal",
                violation_error_message=_("Cette signature est déjà à renouveler."),
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.at:%Y-%m-%d}"

    @property
    def decider_name(self) -> str:
        """Who made a decision, as the pages and the copy name them: the organisation on whose behalf it was made
        (the region's scheme organisation), else the platform's administration (who decides where no organisation
        may, see `charter.services.can_decide`)."""
        if self.by_organisation is not None:
            return self.by_organisation.name
        return _("l'administration de la plateforme Sans Rupture")


class SignatureCopy(Document):
    """A signed copy as PDF, built by a worker (`core.documents`): requested with the signature, and again
    when the signature is validated, so the copy shows the validation and who made it."""

    signature = models.ForeignKey(
        Signature, on_delete=models.PROTECT, related_name="copies", verbose_name=_("signature")
    )

    UPLOAD_FOLDER = "charte"

    class Meta(Document.Meta):
        verbose_name = _("copie signée")
        verbose_name_plural = _("copies signées")
        indexes = [
            # the sweeper: "pending copies, oldest first"
            models.Index(fields=["status", "requested_at"], name="signaturecopy_pending_idx"),
        ]

    def __str__(self):
        return f"{self.signature} · {self.get_status_display()}"


class CharterReminder(models.Model):
    """A reminder sent to an organisation that has not signed the version in force: one per organisation, version
    and day (running the reminder twice the same day sends nothing more)."""

    organisation = models.ForeignKey(
        "pathways.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("structure")
    )
    version = models.ForeignKey(CharterVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version"))
    day = models.DateField(_("jour"))
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("envoyée par")
    )
    sent_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)

    class Meta:
        verbose_name = _("relance de signature")
        verbose_name_plural = _("relances de signature")
        ordering = ["-sent_at"]
        constraints = [
            UniqueConstraint(
                fields=["organisation", "version", "day"],
                name="charterreminder_one_per_organisation_and_day",
                violation_error_message=_("Cette structure a déjà été relancée aujourd'hui pour cette version."),
            )
        ]

    def __str__(self):
        return f"{self.organisation} · {self.day}"
