"""Stage changes no model signal reports: writes made with `bulk_create` or a conditional `update()` (an alert
acknowledged, acted on or escalated). The services that make them call `stages_changed(stage_ids)`
once committed-to-be (in their transaction); upper apps that keep derived data (the dashboards' rollups) register a
listener from their `AppConfig.ready`. This module imports none of them."""

from collections.abc import Callable, Iterable

_listeners: list[Callable[[set[int]], None]] = []


def register_stages_listener(listener: Callable[[set[int]], None]) -> None:
    """`listener(stage_ids)` is called, inside the writer's transaction, with the ids of the stages it changed."""
    if listener not in _listeners:
        _listeners.append(listener)


def stages_changed(stage_ids: Iterable[int]) -> None:
    ids = {stage_id for stage_id in stage_ids if stage_id is not None}
    if not ids:
        return
    for listener in _listeners:
        listener(ids)
