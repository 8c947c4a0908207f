"""Who else may declare a rupture, and what else a declaration may do: registered by upper apps (docs/design.md §8),
which `ruptures` never imports.

- A *declarer* source answers, for a user and a stage, the organisation through which that user declares a rupture
  on it (e.g. speaking groups: a facilitator of a support structure running a group on the stage's session), or None.
  Those who record the stage's life (`pathways.scoping.can_transition_stage`) declare through the organisation
  involved in the pathway, as before.
- A declaration *add-on* adds fields to the declaration form for a stage (`fields(stage)`: a dict of form fields,
  empty when it has nothing to offer there) and acts after the rupture is written, **in the same transaction**
  (`after(rupture=…, by=…, data=…)`, `data` holding the add-on's cleaned fields): an error it raises undoes the
  declaration.
"""

from collections.abc import Callable
from dataclasses import dataclass

_DECLARERS: list[Callable] = []
_ADDONS: list["DeclarationAddOn"] = []


@dataclass(frozen=True)
class DeclarationAddOn:
    code: str
    fields: Callable  # (stage) -> dict[str, forms.Field]
    after: Callable  # (*, rupture, by, data: dict) -> None


def register_declarer(source: Callable) -> None:
    """`source(user, stage)` returns the Organisation through which `user` may declare on `stage`, or None."""
    if source not in _DECLARERS:
        _DECLARERS.append(source)


def declaring_organisation(user, stage):
    """The organisation through which `user` declares on `stage` by a registered way, or None."""
    for source in _DECLARERS:
        organisation = source(user, stage)
        if organisation is not None:
            return organisation
    return None


def register_addon(addon: DeclarationAddOn) -> None:
    global _ADDONS
    _ADDONS = [known for known in _ADDONS if known.code != addon.code] + [addon]


def addons() -> list[DeclarationAddOn]:
    return list(_ADDONS)
