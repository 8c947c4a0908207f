"""The to-do list's export (`pathways.exports`, issue 21): the page's own rows (the tab asked for), registered from
`NotificationsConfig.ready()`. A to-do about a stage names its person: the export logs them."""

from django.utils.translation import gettext_lazy as _

from pathways.exports import ListExport, local_date


def _rows(user, params):
    from notifications.views import todo_rows

    return todo_rows(user, params)[0]


def _entries(todo):
    if todo.stage is None:
        return []
    return [(todo.stage.pathway.beneficiary_id, (todo.stage.organisation_id,))]


TODOS = ListExport(
    name="a-faire",
    title=_("À faire"),
    view_name="notifications:todo_list",
    rows=_rows,
    people=_entries,
    columns=[
        (_("À faire"), lambda t: t.title),
        (_("Contexte"), lambda t: t.context),
        (_("Pour le"), lambda t: t.due_on),
        (_("Faite le"), lambda t: local_date(t.done_at)),
        (_("Lien"), lambda t: t.url),
    ],
)
