import datetime

import factory
from django.utils import timezone

from pathways.models import (
    Basin,
    Beneficiary,
    Commune,
    Employer,
    Enrolment,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Region,
    Session,
    Stage,
    StageTransition,
    TrainingAction,
)
from pathways.services.people import name_key
from tests.accounts.factories import UserFactory, unreserved_first_name, unreserved_last_name


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ["code"]

    code = "75"
    name = "Nouvelle-Aquitaine"


class BasinFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Basin

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"T{n:04d}")
    name = factory.Sequence(lambda n: f"Bassin {n}")


class CommuneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Commune

    code = factory.Sequence(lambda n: f"33{n:03d}")
    name = factory.Sequence(lambda n: f"Commune {n}")
    department = "33"
    basin = factory.SubFactory(BasinFactory)


class ProgrammeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Programme

    code = factory.Sequence(lambda n: f"dispositif-{n}")
    name = factory.Sequence(lambda n: f"Dispositif {n}")
    max_duration_months = 24
    max_suspension_months = 6


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Structure {n}")
    kind = Organisation.Kind.TRAINING_BODY
    region = factory.SubFactory(RegionFactory)

    class Params:
        prescriber = factory.Trait(
            kind=Organisation.Kind.PRESCRIBER, prescriber_kind=Organisation.PrescriberKind.MISSION_LOCALE
        )
        funder = factory.Trait(kind=Organisation.Kind.FUNDER)
        support = factory.Trait(kind=Organisation.Kind.SUPPORT)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = Membership.Role.TRAINER

    class Params:
        prescriber = factory.Trait(
            role=Membership.Role.PRESCRIBER_ADVISER,
            organisation=factory.SubFactory(OrganisationFactory, prescriber=True),
        )


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    name = factory.Sequence(lambda n: f"Entreprise {n}")
    region = factory.SubFactory(RegionFactory)


class TrainingActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingAction

    training_body = factory.SubFactory(OrganisationFactory)
    title = factory.Sequence(lambda n: f"Formation {n}")
    basin = factory.SubFactory(BasinFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    funder = factory.SubFactory(
        OrganisationFactory, funder=True, region=factory.SelfAttribute("..training_body.region")
    )


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    training_action = factory.SubFactory(TrainingActionFactory)
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=30))
    end_date = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=150))
    capacity = 12


class BeneficiaryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Beneficiary

    # Never "Zoé" (the world's person) nor another tests' marker name: a person drawn with it in the world's training
    # body (e.g. the matrix's drop-in booking) was taken for the world's person after her objection (seen in CI).
    first_name = factory.LazyFunction(unreserved_first_name)
    last_name = factory.LazyFunction(unreserved_last_name)
    birth_date = datetime.date(2001, 5, 17)
    region = factory.SubFactory(RegionFactory)
    name_key = factory.LazyAttribute(lambda o: name_key(o.first_name, o.last_name))


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway

    beneficiary = factory.SubFactory(BeneficiaryFactory)
    referent = factory.SubFactory(UserFactory)
    opened_by = factory.SubFactory(OrganisationFactory, prescriber=True)


class StageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Stage

    pathway = factory.SubFactory(PathwayFactory)
    kind = Stage.Kind.QUALIFYING_TRAINING
    organisation = factory.SubFactory(OrganisationFactory)
    programme = factory.SubFactory(ProgrammeFactory)
    planned_start = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=20))
    planned_end = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=100))

    class Params:
        in_progress = factory.Trait(
            status=Stage.Status.IN_PROGRESS, actual_start=factory.SelfAttribute("planned_start")
        )


class EnrolmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Enrolment

    stage = factory.SubFactory(StageFactory)
    session = factory.SubFactory(SessionFactory)


class StageTransitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StageTransition

    stage = factory.SubFactory(StageFactory)
    action = StageTransition.Action.START
    to_status = Stage.Status.IN_PROGRESS
    effective_date = factory.LazyFunction(timezone.localdate)
