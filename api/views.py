"""The partner API, version 1 (docs/api.md): read pathways, stages, ruptures and alerts; declare a rupture.

Every list and object comes from the one scoping layer (`Model.objects.for_user(token's user)`,
`get_for_user_or_404`): what a token reads is what its organisation's role reads on the pages. Every person shown
is written to the access log, the API's URL names (`api:…`) saying it was read through the API.
"""

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from alerts.models import Alert
from api import filters, serializers, tokens
from pathways import scoping
from pathways.models import Pathway, Stage
from ruptures import services as rupture_services
from ruptures.models import Rupture


class ApiViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """A scoped list and detail. `base_queryset` is the unscoped queryset with what the serializer reads;
    `person_of(row)` is the row's person, for the access log."""

    base_queryset = None
    filter_backends = [DjangoFilterBackend]
    lookup_value_regex = "[0-9]+"

    @classmethod
    def as_view(cls, *args, **kwargs):
        # The API has its own authentication (a token, not a session): the login page is not its answer. Its
        # answers are about people: never stored by a proxy or a browser (`Cache-Control: no-store`), whoever asks.
        return never_cache(login_not_required(super().as_view(*args, **kwargs)))

    def get_queryset(self):
        return self.base_queryset.for_user(self.request.user)

    def get_object(self):
        # Outside scope: 404; the person's read written to the access log.
        return scoping.get_for_user_or_404(self.base_queryset, self.request, pk=self.kwargs["pk"])

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is not None:
            organisation = self.request.auth.organisation_id
            scoping.log_people_listed(self.request, [(self.person_of(row), [organisation]) for row in page])
        return page

    def person_of(self, row):
        raise NotImplementedError


class PathwayViewSet(ApiViewSet):
    """Pathways the token's organisation follows, with their person's identity."""

    serializer_class = serializers.PathwaySerializer
    filterset_class = filters.PathwayFilter
    base_queryset = Pathway.objects.select_related("beneficiary", "opened_by", "prescribing_organisation").order_by(
        "-opened_at", "-pk"
    )

    def person_of(self, pathway):
        return pathway.beneficiary


class StageViewSet(ApiViewSet):
    """Stages of those pathways."""

    serializer_class = serializers.StageSerializer
    filterset_class = filters.StageFilter
    base_queryset = Stage.objects.select_related("organisation", "pathway__beneficiary").order_by("-pk")

    def person_of(self, stage):
        return stage.pathway.beneficiary

    @extend_schema(
        request=serializers.RuptureDeclarationSerializer,
        responses={
            201: serializers.RuptureSerializer,
            400: OpenApiResponse(description=_("Déclaration refusée : l'erreur de chaque champ.")),
            403: OpenApiResponse(description=_("Ce jeton ne peut pas déclarer de rupture sur cette étape.")),
            404: OpenApiResponse(description=_("Étape inconnue ou hors du périmètre du jeton.")),
        },
        summary=_("Déclarer une rupture"),
    )
    @action(detail=True, methods=["post"], url_path="ruptures", filterset_class=None, pagination_class=None)
    def declare_rupture(self, request, pk=None):
        """Declare a rupture on the stage, through the service of the page (`ruptures.services.rupture_declare`):
        the rupture, the stage's change, the alert and its notifications are written together, or nothing is."""
        if request.auth.organisation.kind not in tokens.DECLARING_KINDS:
            raise exceptions.PermissionDenied(_("Seul un organisme de formation déclare une rupture par l'API."))
        stage = scoping.get_for_user_or_404(
            Stage.objects.select_related("pathway__beneficiary", "organisation", "programme"), request, pk=pk
        )
        if not scoping.can_transition_stage(request.user, stage):
            raise exceptions.PermissionDenied(_("Ce jeton ne peut pas déclarer de rupture sur cette étape."))
        declaration = serializers.RuptureDeclarationSerializer(data=request.data)
        declaration.is_valid(raise_exception=True)
        try:
            rupture = rupture_services.rupture_declare(stage=stage, by=request.user, **declaration.validated_data)
        except ValidationError as error:
            raise exceptions.ValidationError(_validation_detail(error)) from error
        rupture = Rupture.objects.select_related("stage", "declaring_organisation").get(pk=rupture.pk)
        return Response(serializers.RuptureSerializer(rupture).data, status=status.HTTP_201_CREATED)


def _validation_detail(error: ValidationError) -> dict:
    """A service's errors as the API's: {field: [messages]}, the errors of no field under `non_field_errors`."""
    if not hasattr(error, "error_dict"):
        return {"non_field_errors": error.messages}
    return {
        ("non_field_errors" if field == "__all__" else field): messages
        for field, messages in error.message_dict.items()
    }


class RuptureViewSet(ApiViewSet):
    """Ruptures declared on those stages (no comment: the free texts stay on the pages)."""

    serializer_class = serializers.RuptureSerializer
    filterset_class = filters.RuptureFilter
    base_queryset = (
        Rupture.objects.select_related("stage__pathway__beneficiary", "declaring_organisation")
        .prefetch_related("causes")
        .order_by("-declared_at", "-pk")
    )

    def person_of(self, rupture):
        return rupture.stage.pathway.beneficiary


class AlertViewSet(ApiViewSet):
    """Alerts the token's organisation reads (a funder: the ruptures on the actions it funds), with their status:
    new, acknowledged or acted on, and whether they were escalated."""

    serializer_class = serializers.AlertSerializer
    filterset_class = filters.AlertFilter
    base_queryset = Alert.objects.select_related("stage__pathway__beneficiary", "inbox").order_by("-created_at", "-pk")

    def person_of(self, alert):
        return alert.stage.pathway.beneficiary
