"""The search-as-you-type pickers' answers (`core.widgets.SearchSelect`): the communes and the organisations of the
user's region(s), at most twenty, accents and case ignored. Reference data, no person: nothing to log."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET

from core.search import Folded, search_words
from core.widgets import SEARCH_LIMIT, current_choice, search_select_options
from pathways import scoping
from pathways.models import Commune, Organisation


def _status(words, found, found_text: str, none_text: str) -> str:
    if not words:
        return _("Tapez quelques lettres, puis choisissez dans la liste ci-dessous.")
    return found_text if found else none_text


@require_GET
def commune_options(request):
    """Communes by name ("saint medard") or INSEE code ("33449", "334"), in the user's regions."""
    communes = Commune.objects.filter(basin__region__in=scoping.region_ids(request.user))
    words = search_words(request.GET.get("q", ""))
    if words:
        condition = Q()
        for word in words:
            # A word that starts with a digit is (the start of) an INSEE code: "33", "33449", "2a004".
            condition &= Q(code__istartswith=word) if word[0].isdigit() else Q(folded_name__contains=word)
        found = list(
            communes.annotate(folded_name=Folded("name")).filter(condition).order_by("name", "code")[:SEARCH_LIMIT]
        )
    else:
        found = []
    chosen = current_choice(request)
    current = communes.filter(pk=chosen).first() if chosen else None
    return search_select_options(
        request,
        options=[(c.pk, str(c)) for c in found],
        current=(current.pk, str(current)) if current else None,
        placeholder=_("— Choisissez une commune —") if found else _("— Aucune commune choisie —"),
        status=_status(
            words,
            found,
            ngettext(
                "%(count)s commune trouvée : choisissez-la dans la liste ci-dessous.",
                "%(count)s communes trouvées : choisissez dans la liste ci-dessous.",
                len(found),
            )
            % {"count": len(found)},
            _("Aucune commune de votre région ne correspond : vérifiez l'orthographe ou tapez le code INSEE."),
        ),
    )


@require_GET
def organisation_options(request):
    """Active organisations of the user's regions by name or SIRET; `kind` narrows to one kind (prescribers)."""
    organisations = Organisation.objects.filter(region__in=scoping.region_ids(request.user), is_active=True)
    kind = request.GET.get("kind", "")
    if kind in Organisation.Kind.values:
        organisations = organisations.filter(kind=kind)
    words = search_words(request.GET.get("q", ""))
    if words:
        condition = Q()
        for word in words:
            condition &= Q(siret__startswith=word) if word.isdigit() else Q(folded_name__contains=word)
        found = list(
            organisations.annotate(folded_name=Folded("name")).filter(condition).order_by("name", "pk")[:SEARCH_LIMIT]
        )
    else:
        found = []
    chosen = current_choice(request)
    current = organisations.filter(pk=chosen).first() if chosen else None
    return search_select_options(
        request,
        options=[(o.pk, o.name) for o in found],
        current=(current.pk, current.name) if current else None,
        placeholder=_("— Choisissez une structure —") if found else _("— Aucune structure choisie —"),
        status=_status(
            words,
            found,
            ngettext(
                "%(count)s structure trouvée : choisissez-la dans la liste ci-dessous.",
                "%(count)s structures trouvées : choisissez dans la liste ci-dessous.",
                len(found),
            )
            % {"count": len(found)},
            _("Aucune structure de votre région ne correspond à cette recherche."),
        ),
    )
