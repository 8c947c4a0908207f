"""Companies (`Employer`): the immersion, apprenticeship or job stage's employer, created while planning a stage."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from pathways.models import Employer, Region


@transaction.atomic
def employer_create(*, name: str, siret: str = "", region: Region) -> Employer:
    """A new company of `region`. Spaces in the SIRET are dropped; errors are on `name` and `siret`."""
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"name": _("Indiquez la raison sociale de l'entreprise.")})
    employer = Employer(name=name, siret=(siret or "").replace(" ", ""), region=region)
    employer.full_clean()
    employer.save()
    return employer


@transaction.atomic
def employer_for_stage(
    *,
    region: Region,
    employer: Employer | None = None,
    new_employer_name: str = "",
    new_employer_siret: str = "",
) -> Employer | None:
    """The company of a stage being planned: the existing `employer` chosen, or a new one created from its name and
    SIRET, or None. Call it inside the transaction that plans the stage, so that a refused plan leaves no company.

    Errors are on the arguments' names (`employer`, `new_employer_name`, `new_employer_siret`), which are the stage
    form's fields.
    """
    new_employer_name = " ".join((new_employer_name or "").split())
    if employer is not None:
        if new_employer_name:
            raise ValidationError(
                {"new_employer_name": _("Choisissez une entreprise existante ou saisissez-en une nouvelle.")}
            )
        if employer.region_id != region.pk:
            raise ValidationError({"employer": _("Cette entreprise n'est pas enregistrée dans la région du parcours.")})
        return employer
    if not new_employer_name:
        if (new_employer_siret or "").strip():
            raise ValidationError({"new_employer_name": _("Indiquez la raison sociale de la nouvelle entreprise.")})
        return None
    try:
        return employer_create(name=new_employer_name, siret=new_employer_siret, region=region)
    except ValidationError as error:
        raise ValidationError(
            {
                {"name": "new_employer_name", "siret": "new_employer_siret"}.get(field, field): messages
                for field, messages in error.error_dict.items()
            }
        ) from error
