from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.forms import apply_errors
from core.pagination import paginate
from notifications.forms import PreferencesForm
from notifications.models import Notification, Todo
from notifications.services import channel_preferences, mark_read, preferences_save
from notifications.todos import todo_done as todo_mark_done
from pathways import exports, scoping


@require_GET
def inbox(request):
    """The user's notifications; the content of those about a person they no longer see is masked."""
    notifications = Notification.objects.inbox(request.user).with_named(request.user).select_related("stage__pathway")
    show = "non-lues" if request.GET.get("filtre") == "non-lues" else "toutes"
    if show == "non-lues":
        notifications = notifications.unread()
    page = paginate(request, notifications)
    # A notification about a person the reader still sees names them: one access log row each.
    scoping.log_people_listed(
        request,
        (
            (notification.beneficiary_id or notification.stage.pathway.beneficiary_id, (notification.organisation_id,))
            for notification in page.object_list
            if notification.named and (notification.beneficiary_id or notification.stage_id)
        ),
    )
    return render(request, "notifications/inbox.html", {"page": page, "show": show})


@require_POST
def notification_open(request, pk):
    """Mark one notification read and follow its link (a user only ever reaches their own: 404 otherwise)."""
    notification = get_object_or_404(Notification.objects.inbox(request.user), pk=pk)
    mark_read(user=request.user, notification_ids=[notification.pk])
    target = notification.url
    if not target or not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "notifications:inbox"
    return redirect(target)


@require_POST
def mark_all_read(request):
    count = mark_read(user=request.user)
    messages.success(request, _("%(n)s notification(s) marquée(s) comme lue(s).") % {"n": count})
    return redirect("notifications:inbox")


@require_http_methods(["GET", "POST"])
def preferences(request):
    """Each person chooses e-mail and SMS for themselves (the in-app inbox is always on)."""
    form = PreferencesForm(
        request.POST if request.method == "POST" else None,
        user=request.user,
        preferences=channel_preferences(request.user),
    )
    if request.method == "POST" and form.is_valid():
        try:
            preferences_save(user=request.user, **form.cleaned_data)
        except ValidationError as error:
            apply_errors(form, error)
        else:
            messages.success(request, _("Vos préférences de notification sont enregistrées."))
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"form": form})


@require_GET
def todo_list(request):
    """My to-dos, the overdue first; the done ones on their own tab."""
    todos, show = todo_rows(request.user, request.GET)
    if response := exports.respond(request, "a-faire", todos):
        return response
    return render(
        request,
        "notifications/todo_list.html",
        {"page": paginate(request, todos), "show": show, "today": timezone.localdate()},
    )


def todo_rows(user, params):
    """`user`'s to-dos on the tab of `params` ("a-faire" or "faites"), and that tab: the page and its export."""
    todos = Todo.objects.for_user(user).select_related("stage__pathway")
    show = params.get("filtre", "a-faire")
    if show == "faites":
        todos = todos.filter(done_at__isnull=False).order_by("-done_at", "-pk")
    else:
        show = "a-faire"
        todos = todos.open().order_by("due_on", "pk")
    return todos, show


@require_POST
def todo_done(request, pk):
    todo = get_object_or_404(Todo.objects.for_user(request.user), pk=pk)
    todo_mark_done(todo=todo, by=request.user)
    messages.success(request, _("C'est fait : « %(title)s ».") % {"title": todo.title})
    return redirect("notifications:todo_list")
