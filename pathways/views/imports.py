"""Imports with a preview (issue 21): upload a file, read what it would do line by line, then confirm.

Only a training body's pedagogical and organisation managers import, into their own organisation; an upload is
seen and confirmed by its uploader only (others get 404).
"""

from django import forms
from django.contrib import messages
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exports import Table, export_response
from pathways import imports, scoping
from pathways.imports import lheo
from pathways.imports import people as people_importer
from pathways.imports.rows import ImportFailed
from pathways.models import ImportFile
from pathways.scoping import require

TITLES = {
    ImportFile.Kind.PEOPLE: gettext_lazy("Importer des personnes et leur inscription"),
    ImportFile.Kind.LHEO: gettext_lazy("Importer des sessions (fichier LHÉO)"),
}


class ImportUploadForm(forms.Form):
    organisation = forms.ModelChoiceField(label=gettext_lazy("Organisme de formation"), queryset=None, empty_label=None)
    file = forms.FileField(label=gettext_lazy("Fichier"))

    def __init__(self, *args, organisations, kind, **kwargs):
        super().__init__(*args, **kwargs)
        from pathways.models import Organisation

        self.fields["organisation"].queryset = Organisation.objects.filter(pk__in=[o.pk for o in organisations])
        if len(organisations) == 1:
            self.fields["organisation"].widget = forms.HiddenInput()
            self.fields["organisation"].initial = organisations[0].pk
        accept = ",".join(imports.EXTENSIONS[kind])
        self.fields["file"].widget.attrs["accept"] = accept
        self.fields["file"].help_text = _("Formats acceptés : %(types)s ; %(mb)s Mo au plus.") % {
            "types": ", ".join(ext.lstrip(".").upper() for ext in imports.EXTENSIONS[kind]),
            "mb": imports.MAX_BYTES // (1024 * 1024),
        }


class ImportConfirmForm(forms.Form):
    sha256 = forms.CharField(widget=forms.HiddenInput(), max_length=64)


def _upload(request, kind):
    organisations = imports.importing_organisations(request.user)
    require(bool(organisations))
    form = ImportUploadForm(
        request.POST if request.method == "POST" else None,
        request.FILES if request.method == "POST" else None,
        organisations=organisations,
        kind=kind,
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.check_upload(kind=kind, filename=upload.name, size=upload.size)
            content = upload.read(imports.MAX_BYTES + 1)
            imports.check_upload(kind=kind, filename=upload.name, size=len(content))
        except imports.FileRefused as refused:
            form.add_error("file", refused.message)
        else:
            import_file = imports.import_file_store(
                by=request.user,
                organisation=form.cleaned_data["organisation"],
                kind=kind,
                filename=upload.name,
                content=content,
            )
            return redirect("pathways:import_preview", pk=import_file.pk)
    return render(
        request,
        "pathways/import_upload.html",
        {"form": form, "kind": kind, "title": TITLES[kind], "max_rows": imports.MAX_ROWS},
    )


@require_http_methods(["GET", "POST"])
def people_import(request):
    return _upload(request, ImportFile.Kind.PEOPLE)


@require_http_methods(["GET", "POST"])
def lheo_import(request):
    return _upload(request, ImportFile.Kind.LHEO)


def _own_import(request, pk) -> ImportFile:
    """The uploader's own import, pending and fresh or already done, in an organisation they still import into."""
    organisations = imports.importing_organisations(request.user)
    import_file = (
        ImportFile.objects.filter(
            Q(status=ImportFile.Status.DONE) | Q(created_at__gte=timezone.now() - imports.MAX_AGE),
            pk=pk,
            uploaded_by=request.user,
            organisation__in=[org.pk for org in organisations],
        )
        .select_related("organisation")
        .first()
    )
    if import_file is None:
        raise Http404
    return import_file


def _plan(import_file, user):
    if import_file.kind == ImportFile.Kind.PEOPLE:
        return people_importer.plan_people(
            content=bytes(import_file.content),
            filename=import_file.filename,
            organisation=import_file.organisation,
            user=user,
        )
    return lheo.plan_sessions(content=bytes(import_file.content), organisation=import_file.organisation)


def _preview(request, import_file, *, failed=None, status=200):
    plan = None
    if import_file.status == ImportFile.Status.PENDING:
        plan = _plan(import_file, request.user)
        scoping.log_people_listed(request, ((person, (import_file.organisation_id,)) for person in plan.people_shown))
    return render(
        request,
        "pathways/import_preview.html",
        {
            "import_file": import_file,
            "title": TITLES[import_file.kind],
            "plan": plan,
            "failed": failed,
            "form": ImportConfirmForm(initial={"sha256": import_file.sha256}),
        },
        status=status,
    )


@require_GET
def import_preview(request, pk):
    return _preview(request, _own_import(request, pk))


@require_POST
def import_confirm(request, pk):
    import_file = _own_import(request, pk)
    if import_file.status != ImportFile.Status.PENDING:
        messages.info(request, _("Ce fichier a déjà été importé."))
        return redirect("pathways:import_preview", pk=import_file.pk)
    form = ImportConfirmForm(request.POST)
    content = bytes(import_file.content)
    if (
        not form.is_valid()
        or form.cleaned_data["sha256"] != import_file.sha256
        or imports.sha256(content) != import_file.sha256
    ):
        messages.error(request, _("Ce fichier n'est plus celui de l'aperçu : déposez-le à nouveau."))
        return redirect("pathways:import_preview", pk=import_file.pk)
    try:
        if import_file.kind == ImportFile.Kind.PEOPLE:
            summary = people_importer.people_import_commit(
                import_file=import_file, by=request.user, view_name=request.resolver_match.view_name
            )
            message = _("%(enrolled)s inscription(s) enregistrée(s), dont %(created)s nouvelle(s) personne(s).")
            message %= summary
        else:
            summary = lheo.lheo_import_commit(import_file=import_file, by=request.user)
            message = (
                _(
                    "%(sessions)s session(s) et %(actions)s action(s) de formation créée(s). Le calendrier de chaque "
                    "nouvelle session est généré dans les minutes qui suivent."
                )
                % summary
            )
    except ImportFailed as failure:
        import_file.refresh_from_db()
        return _preview(request, import_file, failed=failure.errors, status=422)
    messages.success(request, message)
    return redirect("pathways:import_preview", pk=import_file.pk)


@require_GET
def people_import_template(request):
    """The CSV template of the people import (docs/imports.md), with one example line."""
    table = Table(
        title=_("Modèle d'import des personnes"),
        headers=people_importer.TEMPLATE_HEADERS,
        rows=[people_importer.TEMPLATE_EXAMPLE],
    )
    return export_response(table, "csv", "modele-import-personnes")
