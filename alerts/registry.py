"""The kinds of alerts, registered by the apps that raise them (docs/design.md §8: a source plugs into `alerts` by
registering, `alerts` imports none of its sources).

A source app calls `register(AlertKind(...))` in its `AppConfig.ready()`; the alert pages, the inbox, the scope and
escalation then read what they need of a kind from here: its label, whether the stage's funder hears of it, how to
say what an alert is about (from its `topic`, without a query), and the block of the alert page that shows its
facts. A source points to its alert (a `OneToOneField` to `alerts.Alert`).

Alerts of an organisation that must hold them (the charter gate, registered by `charter`) are kept from its members
until it may receive them: `register_hold`.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.http import HttpRequest


@dataclass(frozen=True)
class AlertDetail:
    """The alert page's block about the source: a template and its context."""

    template: str
    context: dict


@dataclass(frozen=True)
class AlertKind:
    code: str
    label: str
    # The notification kind (registered with `notifications.kinds`) of the message that announces an alert.
    notification_kind: str
    # Whether the regional officers of the stage's funder (its training action's funder) are told and may see it.
    tells_funder: bool
    # What an alert of this kind is about, from its topic (a code of the source), in the reader's language.
    summary: Callable[[str], str]
    # The alert page's block about the source. `full`: the viewer sees the pathway (the partners who follow the
    # person); otherwise they are the funder's regional officer, who sees only what it needs to act.
    detail: Callable[[HttpRequest, object, bool], AlertDetail]


_kinds: dict[str, AlertKind] = {}
_holds: list[Callable[[Iterable[int]], set[int]]] = []


def register(kind: AlertKind) -> None:
    _kinds[kind.code] = kind


def alert_kind(code: str) -> AlertKind:
    try:
        return _kinds[code]
    except KeyError:
        raise LookupError(f"No alert kind {code!r} is registered (alerts.registry.register)") from None


def alert_kinds() -> list[AlertKind]:
    return list(_kinds.values())


def funder_kinds() -> list[str]:
    """The codes of the kinds the funder's regional officers hear of."""
    return [code for code, kind in _kinds.items() if kind.tells_funder]


def register_hold(held_organisations: Callable[[Iterable[int]], set[int]]) -> None:
    """`held_organisations(organisation ids)` answers which of them must not receive named alerts for now (the
    charter gate): their members' and mailboxes' notifications are held until released."""
    _holds.append(held_organisations)


def held_organisations(organisation_ids) -> set[int]:
    held: set[int] = set()
    for hold in _holds:
        held |= set(hold(list(organisation_ids)))
    return held
