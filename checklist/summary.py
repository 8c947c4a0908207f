"""The checklist of each stage on the pathway page: where it stands, and its points "à surveiller" (visible on the
pathway, not alerted) and "à risque", for those who may see it (two queries for all the stages)."""

from dataclasses import dataclass, field

from django.db.models import Prefetch

from checklist.models import Answer, Checklist, ChecklistRevision


@dataclass
class StageChecklist:
    checklist: Checklist
    revision: ChecklistRevision | None
    watch: list[str] = field(default_factory=list)
    risk: list[str] = field(default_factory=list)


def stage_checklists(user, stage_ids) -> dict[int, StageChecklist]:
    """{stage id: its checklist's summary} for the checklists `user` may see (the scoping layer)."""
    checklists = (
        Checklist.objects.for_user(user)
        .filter(stage__in=list(stage_ids))
        .order_by("stage", "-template__version")
        .prefetch_related(
            Prefetch("revisions", queryset=ChecklistRevision.objects.order_by("-number"), to_attr="newest")
        )
    )
    summaries = {}
    for checklist in checklists:
        if checklist.stage_id in summaries:
            continue
        revision = checklist.newest[0] if checklist.newest else None
        summary = StageChecklist(checklist, revision)
        if revision is not None:
            for entry in revision.answers.values():
                if entry["answer"] == Answer.WATCH:
                    summary.watch.append(entry["label_fr"])
                elif entry["answer"] == Answer.RISK:
                    summary.risk.append(entry["label_fr"])
        summaries[checklist.stage_id] = summary
    return summaries
