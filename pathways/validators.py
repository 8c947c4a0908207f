"""The identifiers the app checks (SIRET, FORMACODE, phone numbers), and how a SIRET and a phone number are printed.

Well-kept libraries hold the rules: python-stdnum for the SIRET, phonenumbers (its "lite" build) for phone numbers.
"""

import re

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.fr import siret


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits with a valid check key (python-stdnum's rule: Luhn, and La Poste's own rule for its
    establishments, head office included)."""
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("Le SIRET doit comporter exactement 14 chiffres, sans espace."), code="siret_format")
    if not siret.is_valid(value):
        raise ValidationError(
            _("Ce SIRET n'est pas valide (clé de contrôle incorrecte). Vérifiez les 14 chiffres."),
            code="siret_checksum",
        )


def validate_formacode(value: str) -> None:
    """FORMACODE® (Centre Inffo): 5 digits."""
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError(_("Le code FORMACODE comporte 5 chiffres."), code="formacode_format")


# A number typed in national form ("0692 12 34 56") is read in metropolitan France's plan first, then in the plans
# of the overseas departments and territories, whose numbers also start with 0 at home.
NATIONAL_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF", "NC", "PF", "WF")
# The metropolitan ranges ARCEP reserves for fiction (the demo's numbers): valid here, unknown to phonenumbers.
FICTION_RANGES = ("+3319900", "+3326191", "+3335320", "+3346571", "+3353649", "+3363998")
# Countries whose numbers are written the French way, with their leading 0 (France and its overseas).
FRENCH_REGIONS = frozenset(NATIONAL_REGIONS)


def _is_fiction(e164: str) -> bool:
    return len(e164) == 12 and e164.startswith(FICTION_RANGES)


def normalize_phone(value: str) -> str:
    """A phone number in E.164 ("+33612345678", "+262692123456", "+442079460958"), as stored and as SMS providers
    want it; raise ValidationError for anything that is not a number in use (phonenumbers' ranges)."""
    typed = (value or "").strip()
    international = typed.startswith(("+", "00"))
    for region in NATIONAL_REGIONS[:1] if international else NATIONAL_REGIONS:
        try:
            number = phonenumbers.parse(typed, region)
        except phonenumbers.NumberParseException:
            break
        e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) or _is_fiction(e164):
            return e164
    raise ValidationError(
        _(
            "Numéro de téléphone non valide : saisissez un numéro français (ex. 06 12 34 56 78) ou, pour l'étranger, "
            "l'indicatif du pays (ex. +32 470 12 34 56)."
        ),
        code="phone",
    )


def format_phone(value: str) -> str:
    """A stored number as people write it: the national form in France and overseas ("06 12 34 56 78",
    "0692 12 34 56"), the international form elsewhere ("+44 20 7946 0958"); unchanged if it cannot be read."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, "FR")
    except phonenumbers.NumberParseException:
        return value
    if _is_fiction(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)):
        digits = "0" + str(number.national_number)
        return " ".join(digits[i : i + 2] for i in range(0, 10, 2))
    french = phonenumbers.region_code_for_number(number) in FRENCH_REGIONS
    style = phonenumbers.PhoneNumberFormat.NATIONAL if french else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    return phonenumbers.format_number(number, style)


def format_siret(siret: str) -> str:
    """123 456 789 00012, as printed on official documents."""
    if len(siret) != 14:
        return siret
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
