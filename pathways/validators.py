"""The identifiers the app checks (SIRET, FORMACODE, phone numbers), and how a SIRET is printed."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# La Poste's establishments share SIREN 356000000 and follow their own check rule (INSEE).
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def validate_siret(value: str) -> None:
    """A SIRET is 14 digits whose Luhn checksum is valid (with La Poste's exception)."""
    if not re.fullmatch(r"\d{14}", value or ""):
        raise ValidationError(_("Le SIRET doit comporter exactement 14 chiffres, sans espace."), code="siret_format")
    if value.startswith(LA_POSTE_SIREN) and value != LA_POSTE_SIREN + "00000":
        valid = sum(int(c) for c in value) % 5 == 0
    else:
        valid = luhn_is_valid(value)
    if not valid:
        raise ValidationError(
            _("Ce SIRET n'est pas valide (clé de contrôle incorrecte). Vérifiez les 14 chiffres."),
            code="siret_checksum",
        )


def validate_formacode(value: str) -> None:
    """FORMACODE® (Centre Inffo): 5 digits."""
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError(_("Le code FORMACODE comporte 5 chiffres."), code="formacode_format")


def normalize_phone(value: str) -> str:
    """Return a French phone number as 10 digits (0XXXXXXXXX), or raise ValidationError."""
    digits = re.sub(r"[\s.\-()]", "", value or "")
    if digits.startswith("+33"):
        digits = "0" + digits[3:]
    elif digits.startswith("0033"):
        digits = "0" + digits[4:]
    if not re.fullmatch(r"0[1-9]\d{8}", digits):
        raise ValidationError(
            _("Numéro de téléphone non valide : saisissez 10 chiffres (ex. 06 12 34 56 78)."), code="phone"
        )
    return digits


def format_siret(siret: str) -> str:
    """123 456 789 00012, as printed on official documents."""
    if len(siret) != 14:
        return siret
    return f"{siret[:3]} {siret[3:6]} {siret[6:9]} {siret[9:]}"
