"""What the API shows of each object (docs/api.md). Identity only (no contact, no free text: the comments and notes
stay on the pages, where the rules about who reads them live); codes, not labels, for every choice."""

from rest_framework import serializers

from alerts.models import Alert
from core.text import COMMENT_MAX_LENGTH, REASON_MAX_LENGTH
from pathways.models import Beneficiary, Organisation, Pathway, Stage
from ruptures.models import Cause, Rupture


class OrganisationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Organisation
        fields = ["id", "name", "kind"]


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Beneficiary
        fields = ["id", "first_name", "last_name", "birth_date"]


class PathwaySerializer(serializers.ModelSerializer):
    person = PersonSerializer(source="beneficiary")
    opened_by = OrganisationSerializer()
    prescribing_organisation = OrganisationSerializer(allow_null=True)

    class Meta:
        model = Pathway
        fields = ["id", "status", "opened_at", "closed_at", "person", "opened_by", "prescribing_organisation"]


class StageSerializer(serializers.ModelSerializer):
    organisation = OrganisationSerializer()

    class Meta:
        model = Stage
        fields = [
            "id",
            "pathway",
            "kind",
            "status",
            "organisation",
            "planned_start",
            "planned_end",
            "actual_start",
            "actual_end",
            "suspended_since",
            "planned_resume",
            "exit_destination",
            "created_at",
        ]


class RuptureSerializer(serializers.ModelSerializer):
    pathway = serializers.IntegerField(source="stage.pathway_id", read_only=True)
    causes = serializers.SerializerMethodField()
    declaring_organisation = OrganisationSerializer(allow_null=True)

    class Meta:
        model = Rupture
        fields = [
            "id",
            "stage",
            "pathway",
            "kind",
            "occurred_on",
            "last_presence",
            "main_cause",
            "causes",
            "identified_by",
            "planned_resume",
            "exit_destination",
            "contract_initiative",
            "during_trial_period",
            "declared_at",
            "declaring_organisation",
            "alert",
        ]

    def get_causes(self, rupture) -> list[str]:
        return [cause.cause for cause in rupture.causes.all()]


class AlertSerializer(serializers.ModelSerializer):
    pathway = serializers.IntegerField(source="stage.pathway_id", read_only=True)
    person = PersonSerializer(source="stage.pathway.beneficiary")
    inbox = OrganisationSerializer()
    escalated = serializers.SerializerMethodField()

    class Meta:
        model = Alert
        fields = [
            "id",
            "kind",
            "topic",
            "stage",
            "pathway",
            "person",
            "status",
            "created_at",
            "acknowledged_at",
            "escalated",
            "escalated_at",
            "inbox",
        ]

    def get_escalated(self, alert) -> bool:
        return alert.escalated_at is not None


class RuptureDeclarationSerializer(serializers.Serializer):
    """The fields of the page's declaration form (`ruptures.forms.RuptureForm`), checked the same way by the same
    service (`ruptures.services.rupture_declare`). The reminders are those recorded on the stage."""

    kind = serializers.ChoiceField(choices=Rupture.Kind.choices)
    occurred_on = serializers.DateField()
    last_presence = serializers.DateField(required=False, allow_null=True, default=None)
    main_cause = serializers.ChoiceField(choices=Cause.choices)
    causes = serializers.ListField(child=serializers.ChoiceField(choices=Cause.choices), required=False, default=list)
    identified_by = serializers.ChoiceField(choices=Rupture.IdentifiedBy.choices)
    planned_resume = serializers.DateField(required=False, allow_null=True, default=None)
    exit_destination = serializers.ChoiceField(
        choices=Stage.ExitDestination.choices, required=False, allow_blank=True, default=""
    )
    contract_initiative = serializers.ChoiceField(
        choices=Rupture.Initiative.choices, required=False, allow_blank=True, default=""
    )
    during_trial_period = serializers.BooleanField(required=False, allow_null=True, default=None)
    no_reminder_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX_LENGTH, trim_whitespace=True
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=COMMENT_MAX_LENGTH, trim_whitespace=True
    )
