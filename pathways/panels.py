"""What other apps add to the pages of `pathways`, by registering (docs/design.md §8: `pathways` imports no app above
it).

- Stage panels: blocks on each stage of the pathway page (attendance, checklist, rupture…). A panel's `load(user,
  pathway, stages)` returns, in a fixed number of queries, the data of the stages it has something to say about
  ({stage id: data}); its templates, one per slot, are included with `data`, `stage`, `item` (the timeline item)
  and the page's context. The `body` slot is the stage's card; the `actions` slot its buttons, shown to those who
  may record the stage's life.
- Organisation badges: a small label next to an organisation's name in lists (the charter standing). `attach(
  organisations)` sets what the badge's template reads on each organisation object, in a fixed number of queries;
  templates show them with `{% organisation_badges organisation %}` (`pathways_tags`).
- Stage facts: named conditions on stages that an app owning the data defines and other apps read in their queries
  without importing it (the checklist says "its checklist is submitted"; the attendance sheet flags who has none).
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class StagePanel:
    name: str
    load: Callable[[object, object, list], dict]
    templates: dict[str, str]  # {slot ("body" or "actions"): template}
    order: int = 100


@dataclass(frozen=True)
class OrganisationBadge:
    name: str
    template: str
    attach: Callable[[list], object]


@dataclass(frozen=True)
class LoadedPanel:
    template: str
    data: object


_stage_panels: dict[str, StagePanel] = {}
_badges: dict[str, OrganisationBadge] = {}
_stage_facts: dict[str, Callable[[str], object]] = {}


def register_stage_panel(panel: StagePanel) -> None:
    _stage_panels[panel.name] = panel


def register_organisation_badge(badge: OrganisationBadge) -> None:
    _badges[badge.name] = badge


def stage_panels(user, pathway, stages) -> dict[int, dict[str, list[LoadedPanel]]]:
    """{stage id: {slot: [panels with data, in order]}} for the pathway page."""
    stages = list(stages)
    loaded: dict[int, dict[str, list[LoadedPanel]]] = {stage.pk: defaultdict(list) for stage in stages}
    for panel in sorted(_stage_panels.values(), key=lambda panel: (panel.order, panel.name)):
        for stage_id, data in panel.load(user, pathway, stages).items():
            for slot, template in panel.templates.items():
                loaded[stage_id][slot].append(LoadedPanel(template, data))
    return {stage_id: dict(slots) for stage_id, slots in loaded.items()}


def attach_badges(organisations: Iterable) -> list:
    """Let each registered badge read what it shows on these organisations (None entries skipped)."""
    organisations = [organisation for organisation in organisations if organisation is not None]
    for badge in _badges.values():
        badge.attach(organisations)
    return organisations


def badge_templates() -> list[str]:
    return [badge.template for badge in _badges.values()]


def register_stage_fact(name: str, condition: Callable[[str], object]) -> None:
    """`condition(stage)` is a boolean expression (an `Exists`, a `Q`) on rows whose stage id is at the path
    `stage` ("pk" on Stage rows, "stage" on rows with a stage)."""
    _stage_facts[name] = condition


def stage_fact(name: str, stage: str = "pk"):
    """The registered condition `name` (see `register_stage_fact`); an unknown name is a programming error."""
    try:
        return _stage_facts[name](stage)
    except KeyError:
        raise LookupError(f"No stage fact {name!r} is registered (pathways.panels.register_stage_fact)") from None
