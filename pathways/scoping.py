"""The one scoping layer (docs/design.md §6): which rows a user may see, and what they may do with them.

Every query that reaches personal data goes through `<Model>.objects.for_user(user)` (which calls the functions
below) or through `get_for_user_or_404`, which also writes the access log. Views never filter by organisation
by hand. An object outside a user's scope answers 404; inside scope but read-only answers 403.

Who sees a pathway (and so its person and stages):
- its referent and its prescribing adviser;
- members with a person-facing role (PERSON_ROLES) of an organisation involved in it: the one that opened it,
  the prescriber, the organisation of any of its stages (a training body sees the people enrolled in its
  sessions), or an organisation that joined it through an accepted join request.
Regional officers, basin coordinators and data-protection officers see aggregates or the access log, not people;
a funder's regional officer also reads, in the alerts of the stages their organisation funds, what they need to act
(`readable_stages`); a data-protection officer reads, for the people of their remit (`dpo_people`), only what
answering their rights needs (their data-protection page, `get_for_dpo_or_404`), never the case. A user with no
active membership sees nothing: having once been told about a person grants nothing.

A person who objected to a sharing with an organisation (`accounts.models.SharingObjection`, active) is out of the
scope of every member of that organisation, whatever their role and whichever way they would reach them: `scope()`
takes them out of every registered model that names its person (`person_path`), and `visible_pathway_ids` and
`readable_stages` (which the other scopes build on) leave them out too (`objected_people`).

Other apps put their models under this layer with `register(Model, scope=…, person=…)` in their
`AppConfig.ready()`; scopes are looked up by model.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404

from accounts import access_log
from accounts.middleware import is_background_poll
from accounts.models import AccessLog, SharingObjection
from accounts.services import access_log_record
from pathways.models import (
    Beneficiary,
    JoinRequest,
    Membership,
    Organisation,
    Pathway,
    PathwayPartner,
    Session,
    Stage,
    TrainingAction,
)

Role = Membership.Role

# Roles that work with named people of their organisation's pathways.
PERSON_ROLES = frozenset(
    {Role.TRAINER, Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER, Role.PRESCRIBER_ADVISER, Role.FACILITATOR}
)
# Roles that open pathways and plan their stages for their organisation.
PATHWAY_MANAGER_ROLES = frozenset({Role.PRESCRIBER_ADVISER, Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})
# Organisation kinds that enrol people (a prescriber, or a training body enrolling directly, e.g. a CFA).
ENROLLING_KINDS = frozenset({Organisation.Kind.PRESCRIBER, Organisation.Kind.TRAINING_BODY})
# Roles that record the life of a stage held by their organisation (start, suspend, resume, exit).
STAGE_STAFF_ROLES = frozenset({Role.TRAINER, Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})
# Roles that run their training body's offer (training actions and sessions); its trainers read it.
OFFER_MANAGER_ROLES = frozenset({Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})
# The funder's role that is told of ruptures on the stages its organisation funds.
FUNDER_ROLES = frozenset({Role.REGIONAL_OFFICER})


# --------------------------------------------------------------------------------------------------------------
# The user's active memberships, read once per request and kept on the user object.


def active_memberships(user) -> list[Membership]:
    if not user.is_authenticated or not user.is_active:
        return []
    cached = getattr(user, "_active_memberships", None)
    if cached is None:
        cached = list(
            Membership.objects.active().filter(user=user).select_related("organisation", "organisation__region")
        )
        user._active_memberships = cached
    return cached


def hold_memberships(user, memberships: list[Membership]) -> None:
    """Give `user`, for this request, these memberships (unsaved rows) instead of theirs: an API token's technical
    user holds its token's organisation and role this way (`api.tokens.find`, docs/api.md), so that every read goes
    through this layer while no member list, picker or notification ever finds it. `forget_memberships` drops them
    (the user then sees nothing: they have no row)."""
    user._active_memberships = list(memberships)


def forget_memberships(user) -> None:
    """Drop the per-request cache after the user's memberships changed."""
    user.__dict__.pop("_active_memberships", None)


def org_ids(user, roles=None, kinds=None) -> set[int]:
    return {
        m.organisation_id
        for m in active_memberships(user)
        if (roles is None or m.role in roles) and (kinds is None or m.organisation.kind in kinds)
    }


def region_ids(user, roles=None, kinds=None) -> set[int]:
    return {
        m.organisation.region_id
        for m in active_memberships(user)
        if (roles is None or m.role in roles) and (kinds is None or m.organisation.kind in kinds)
    }


def roles_of(user) -> set[str]:
    return {m.role for m in active_memberships(user)}


# --------------------------------------------------------------------------------------------------------------
# Read scopes


def visible_pathway_ids(user):
    """The ids of the pathways `user` sees, as a subquery (`pk__in=…`, `pathway__in=…`): the rule above, written as
    a UNION of one indexed lookup per way of seeing a pathway. Written as one OR of these conditions, the planner
    could only scan every pathway and guessed its rows badly (at 100,000 people, a cost that set off PostgreSQL's JIT
    compiler for a query that runs in milliseconds); each part of the union is estimated from its own index."""
    parts = [
        Pathway.objects.filter(referent=user).values("pk"),
        Pathway.objects.filter(prescribing_adviser=user).values("pk"),
    ]
    person_orgs = org_ids(user, roles=PERSON_ROLES)
    if person_orgs:
        parts += [
            Pathway.objects.filter(opened_by__in=person_orgs).values("pk"),
            Pathway.objects.filter(prescribing_organisation__in=person_orgs).values("pk"),
            Stage.objects.filter(organisation__in=person_orgs).values("pathway_id"),
            PathwayPartner.objects.filter(organisation__in=person_orgs).values("pathway_id"),
        ]
    for source, _acting in _PATHWAY_SOURCES:
        part = source(user)
        if part is not None:
            parts.append(part)
    first, *others = (part.order_by() for part in parts)
    union = first.union(*others)
    if not org_ids(user):
        return union
    # The people who objected to one of the user's organisations are out (see `objected_people`).
    return Pathway.objects.filter(pk__in=union).exclude(beneficiary__in=objected_people(user)).values("pk")


def without_objected(queryset, user, path: str):
    """`queryset` less the rows about a person who objected to one of `user`'s organisations; `path` leads from a
    row to its person ("stage__pathway__beneficiary"). For the lists a session's staff read without going through a
    person's scope (an attendance sheet, a session's calendar or statements)."""
    if not org_ids(user):
        return queryset
    return queryset.exclude(**{f"{path}__in": objected_people(user)})


def objected_people(user):
    """The ids of the people who objected to a sharing with one of `user`'s organisations (an active
    `SharingObjection`), as a subquery: they are out of every scope of `user`, whatever the role or the way."""
    return SharingObjection.objects.active().filter(organisation__in=org_ids(user)).values("beneficiary_id")


def told_of(stage, users, organisations=()) -> tuple[list, list]:
    """Of `users` and `organisations` about to be told of something about `stage`'s person (a notification, an alert),
    those the person did not object to: a member of an organisation the person objected to (an active
    `SharingObjection`) would get a nameless message whose link answers 404, and learn that something happened.
    One query when the person objected to nobody, two otherwise."""
    objected = set(
        SharingObjection.objects.active()
        .filter(beneficiary_id=Pathway.objects.filter(pk=stage.pathway_id).values("beneficiary_id")[:1])
        .values_list("organisation_id", flat=True)
    )
    if not objected:
        return list(users), list(organisations)
    users = [user for user in users if user is not None]
    out = set(
        Membership.objects.active()
        .filter(organisation__in=objected, user__in=[user.pk for user in users])
        .values_list("user_id", flat=True)
    )
    return (
        [user for user in users if user.pk not in out],
        [org for org in organisations if org is not None and org.pk not in objected],
    )


# More ways of seeing a pathway, registered by the apps that define them (`register_pathway_source`).
_PATHWAY_SOURCES = []


def register_pathway_source(source, *, acting=None, reaching=None, followed=None) -> None:
    """Let an app add a way of seeing pathways: `source(user)` returns a queryset of pathway ids (one column,
    `values("pathway_id")`), or None when it gives `user` nothing. It joins `visible_pathway_ids`'s UNION, so
    it widens every read of people, pathways and stages; write it as one indexed lookup. `acting(user,
    beneficiary)` names the organisation through which that way reaches the person (the access log's acting
    organisation). `reaching(beneficiary)` and `followed(organisation_ids)` say the same from the other sides: the
    ids of the organisations that way lets see a person, and the ids of the pathways it lets those organisations see
    (both subqueries; the information notice's "who sees it", a DPO's remit). Called from an AppConfig.ready (e.g.
    speaking groups: a group's facilitators see the people enrolled in its sessions, through their support
    structure)."""
    if all(source is not known for known, _acting in _PATHWAY_SOURCES):
        _PATHWAY_SOURCES.append((source, acting))
    if reaching is not None and reaching not in _REACHING:
        _REACHING.append(reaching)
    if followed is not None and followed not in _FOLLOWED:
        _FOLLOWED.append(followed)


# `reaching(beneficiary)`: the ids of the organisations a registered pathway source lets see `beneficiary` (a
# subquery), for the information notice's "who sees your record" (`organisations_seeing`).
_REACHING = []
# `followed(organisation_ids)`: the ids of the pathways a registered pathway source lets those organisations see.
_FOLLOWED = []


def reaching_organisation_ids(beneficiary) -> set[int]:
    """The ids of the organisations a registered pathway source lets see `beneficiary` (a speaking group's support
    structure): their facilitators' notes are in the right-of-access export released by them."""
    ids = set()
    for reaching in _REACHING:
        ids.update(reaching(beneficiary).values_list("pk", flat=True))
    return ids


def organisations_seeing(beneficiary) -> list[Organisation]:
    """The organisations whose members may see `beneficiary`'s record now, by the rules above (the information
    notice's "who sees it"): those involved in one of their pathways, the funders of their stages' training
    actions, those a registered pathway source reaches (a speaking group's support structure); less those the person
    objected to. In name order."""
    pathways = Pathway.objects.filter(beneficiary=beneficiary)
    condition = (
        Q(pk__in=pathways.values("opened_by"))
        | Q(pk__in=pathways.exclude(prescribing_organisation=None).values("prescribing_organisation"))
        | Q(pk__in=Stage.objects.filter(pathway__in=pathways).values("organisation"))
        | Q(pk__in=PathwayPartner.objects.filter(pathway__in=pathways).values("organisation"))
        | Q(
            pk__in=Stage.objects.filter(pathway__in=pathways)
            .exclude(enrolment__session__training_action__funder=None)
            .values("enrolment__session__training_action__funder")
        )
    )
    for reaching in _REACHING:
        condition |= Q(pk__in=reaching(beneficiary))
    objected = SharingObjection.objects.active().filter(beneficiary=beneficiary).values("organisation")
    return list(Organisation.objects.filter(condition).exclude(pk__in=objected).order_by("name", "pk"))


def pathways_for_user(queryset, user):
    if not active_memberships(user):
        return queryset.none()
    return queryset.filter(pk__in=visible_pathway_ids(user))


def funding_organisations(user) -> set[int]:
    """The funders (organisations of kind funder) of which `user` is an active regional officer."""
    return org_ids(user, roles=FUNDER_ROLES, kinds={Organisation.Kind.FUNDER})


def funded(user, stage: str = "") -> Q:
    """On a Stage queryset (or rows with a stage: `stage` is the path to it, "stage__"): the stages funded by the
    organisations of which `user` is a regional officer (their training action's funder). Matches none if none."""
    funders = funding_organisations(user)
    if not funders:
        return Q(pk__in=[])
    return Q(**{f"{stage}enrolment__session__training_action__funder__in": funders})


def readable_stages(user):
    """The stages whose person `user` may read about now (a notification's or an alert's named content): those of
    the pathways in their scope, and, for a funder's regional officer, those their organisation funds. None without
    an active membership."""
    if not active_memberships(user):
        return Stage.objects.none()
    return Stage.objects.filter(Q(pathway__in=visible_pathway_ids(user)) | funded(user)).exclude(
        pathway__beneficiary__in=objected_people(user)
    )


def beneficiaries_for_user(queryset, user):
    if not active_memberships(user):
        return queryset.none()
    return queryset.filter(pk__in=Pathway.objects.filter(pk__in=visible_pathway_ids(user)).values("beneficiary_id"))


def stages_for_user(queryset, user):
    if not active_memberships(user):
        return queryset.none()
    return queryset.filter(pathway__in=visible_pathway_ids(user))


def sessions_for_user(queryset, user):
    """Sessions are the region's training offer: not personal, readable by every member of the region.

    The people enrolled in a session are personal: they are listed through `pathways_for_user`.
    """
    regions = region_ids(user)
    if not regions:
        return queryset.none()
    return queryset.filter(training_action__training_body__region__in=regions)


def training_actions_for_user(queryset, user):
    """A training body's actions, inactive ones included, are read by its staff (trainers, pedagogical and
    organisation managers) and run by its managers (`can_manage_offer`). The region reads the actions through its
    sessions (`sessions_for_user`)."""
    return queryset.filter(
        training_body__in=org_ids(user, roles=STAGE_STAFF_ROLES, kinds={Organisation.Kind.TRAINING_BODY})
    )


def organisations_for_user(queryset, user):
    """Organisations whose member list a user may read: their own."""
    return queryset.filter(pk__in=org_ids(user))


def memberships_for_user(queryset, user):
    """Memberships of the user's own organisations (a member list is read by colleagues, managed by managers)."""
    return queryset.filter(organisation__in=org_ids(user))


def join_requests_for_user(queryset, user):
    """Requests on pathways the user sees (to answer them), and those their organisations sent."""
    return queryset.filter(
        Q(pathway__in=pathways_for_user(Pathway.objects.all(), user).values("pk")) | Q(organisation__in=org_ids(user))
    )


# Each model's scope, by model (other apps add theirs with `register`).
_SCOPES = {
    Membership: memberships_for_user,
    JoinRequest: join_requests_for_user,
    Beneficiary: beneficiaries_for_user,
    Pathway: pathways_for_user,
    Stage: stages_for_user,
    Session: sessions_for_user,
    TrainingAction: training_actions_for_user,
    Organisation: organisations_for_user,
}
# How to find the person behind an object, for the access log (other apps add theirs with `register`).
_PERSONS = {
    Beneficiary: lambda obj: obj,
    Pathway: lambda obj: obj.beneficiary,
    Stage: lambda obj: obj.pathway.beneficiary,
}
# The lookup from a row to its person's id, for objections (other apps add theirs with `register`).
_PERSON_PATHS = {
    Beneficiary: "pk",
    Pathway: "beneficiary",
    Stage: "pathway__beneficiary",
    JoinRequest: "pathway__beneficiary",
}


def register(model, *, scope, person=None, person_path: str | None = None) -> None:
    """Let another app put one of its models under the scoping layer (called from its AppConfig.ready).

    `person(obj)` finds the person an object is about (the access log); `person_path` is the same as a lookup
    ("stage__pathway__beneficiary"), so that a person's objection to a sharing takes their rows out of the scope of
    the organisation objected to. A model about a person names both."""
    _SCOPES[model._meta.concrete_model] = scope
    if person is not None:
        _PERSONS[model._meta.concrete_model] = person
    if person_path is not None:
        _PERSON_PATHS[model._meta.concrete_model] = person_path


def scope(queryset, user):
    """Apply the scope of `queryset`'s model for `user`; a model nobody registered has no scope (an error). The
    rows about a person who objected to one of the user's organisations are left out (`objected_people`)."""
    queryset = queryset.all()
    model = queryset.model._meta.concrete_model
    if model not in _SCOPES:
        raise LookupError(f"{model._meta.label} has no scope: register one with pathways.scoping.register")
    scoped = _SCOPES[model](queryset, user)
    path = _PERSON_PATHS.get(model)
    if path is not None and org_ids(user):
        scoped = scoped.exclude(**{f"{path}__in": objected_people(user)})
    return scoped


def unobjected_models() -> list:
    """The models about a person (registered with a `person`) that name no `person_path`: an objection could not
    take them out of scope (a test keeps this list empty)."""
    return [model for model in _PERSONS if model not in _PERSON_PATHS]


# --------------------------------------------------------------------------------------------------------------
# Single objects, with the access log


def person_models() -> list:
    """The models whose rows are about a person (those registered with a `person`): their history names them."""
    return list(_PERSONS)


def person_of(obj) -> Beneficiary | None:
    find = _PERSONS.get(type(obj)._meta.concrete_model)
    return find(obj) if find else None


def acting_organisation(user, beneficiary: Beneficiary) -> Organisation | None:
    """The organisation through which `user` reaches `beneficiary`'s record (None for the referent alone)."""
    person_orgs = org_ids(user, roles=PERSON_ROLES)
    if not person_orgs:
        return None
    pathways = Pathway.objects.filter(beneficiary=beneficiary)
    involved = (
        Organisation.objects.filter(pk__in=person_orgs)
        .filter(
            Q(opened_pathways__in=pathways)
            | Q(prescribed_pathways__in=pathways)
            | Q(stages__pathway__in=pathways)
            | Q(partner_pathways__pathway__in=pathways)
        )
        .order_by("pk")
        .first()
    )
    if involved is None:
        for _source, acting in _PATHWAY_SOURCES:
            involved = acting(user, beneficiary) if acting is not None else None
            if involved is not None:
                break
    return involved


def get_for_user_or_404(queryset, request, **lookup):
    """Fetch one object inside `request.user`'s scope, or 404; log the access when it is a person's record.

    A GET is logged as a read, any other method as a change. The acting organisation is the one through which the
    user reaches the person, else (a DPO's own rights document) the one their DPO remit answers for.
    """
    obj = get_object_or_404(scope(queryset, request.user), **lookup)
    person = person_of(obj)
    if person is not None:
        record_access(request, person)
    return obj


def record_access(request, person: Beneficiary, *, acting: Organisation | None = None) -> None:
    """Write the access log's row for `request` reaching `person`'s record: a GET is a read, any other method a
    change. The acting organisation is `acting` when the caller knows it (a DPO's page), else the one through which
    the user reaches the person, else (a DPO's own rights document) the one their DPO remit answers for. For a view
    that reaches the person otherwise than by `get_for_user_or_404` (a statement download, a join request's answer)."""
    acting = acting or acting_organisation(request.user, person)
    if acting is None:  # a DPO's own rights document: read for the organisation they answer for
        acting_id = dpo_acting_organisation(request.user, person)
        acting = next(
            (m.organisation for m in active_memberships(request.user) if m.organisation_id == acting_id), None
        )
    access_log_record(
        user=request.user,
        beneficiary=person,
        view_name=request.resolver_match.view_name if request.resolver_match else "",
        acting_organisation=acting,
        action=AccessLog.Action.READ if request.method in ("GET", "HEAD") else AccessLog.Action.CHANGE,
    )


# --------------------------------------------------------------------------------------------------------------
# What a user may do (inside their scope). Views call `require(...)`, which raises 403.


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


def can_enrol(user) -> bool:
    """May create people and open pathways (for at least one organisation)."""
    return bool(enrolling_organisations(user))


def enrolling_organisations(user) -> list[Organisation]:
    seen = {}
    for m in active_memberships(user):
        if m.role in PATHWAY_MANAGER_ROLES and m.organisation.kind in ENROLLING_KINDS:
            seen.setdefault(m.organisation_id, m.organisation)
    return sorted(seen.values(), key=lambda org: org.name)


def can_manage_pathway(user, pathway: Pathway) -> bool:
    """Plan stages, change the referent or prescriber, close the pathway."""
    if not active_memberships(user):
        return False
    if pathway.referent_id == user.pk or pathway.prescribing_adviser_id == user.pk:
        return True
    managing = org_ids(user, roles=PATHWAY_MANAGER_ROLES)
    return pathway.opened_by_id in managing or pathway.prescribing_organisation_id in managing


def can_transition_stage(user, stage: Stage) -> bool:
    return can_manage_pathway(user, stage.pathway) or stage.organisation_id in org_ids(user, roles=STAGE_STAFF_ROLES)


def offer_organisations(user) -> list[Organisation]:
    """The training bodies whose offer `user` runs (a pedagogical or organisation manager), by name."""
    seen = {
        m.organisation_id: m.organisation
        for m in active_memberships(user)
        if m.role in OFFER_MANAGER_ROLES and m.organisation.kind == Organisation.Kind.TRAINING_BODY
    }
    return sorted(seen.values(), key=lambda org: org.name)


def can_manage_offer(user, training_body_id: int) -> bool:
    """May create and edit the training actions and sessions of this training body."""
    return training_body_id in {org.pk for org in offer_organisations(user)}


def can_manage_members(user, organisation: Organisation) -> bool:
    return organisation.pk in org_ids(user, roles={Role.ORG_MANAGER})


def staffed_sessions(queryset, user):
    """Sessions of the training bodies where `user` is staff (trainer, pedagogical or organisation manager): the
    ones whose attendance they take. Others (prescribers, other bodies) do not reach attendance sheets."""
    return sessions_for_user(queryset, user).filter(
        training_action__training_body__in=org_ids(user, roles=STAGE_STAFF_ROLES)
    )


# Roles that may change an attendance sheet after it is locked (the change is recorded).
LOCKED_SHEET_ROLES = frozenset({Role.PEDAGOGICAL_MANAGER, Role.ORG_MANAGER})


def can_edit_locked_sheet(user, session) -> bool:
    return session.training_action.training_body_id in org_ids(user, roles=LOCKED_SHEET_ROLES)


# --------------------------------------------------------------------------------------------------------------
# Who reads the access log (issue 20). An organisation's data-protection officer reads the rows written on behalf
# of their organisation; the region's DPO (a DPO of the region's scheme organisation, `Region.scheme_organisation`)
# reads every row of the region, reads made without an acting organisation included (a funder's officer, a referent).


def dpo_organisation_ids(user) -> set[int]:
    """The organisations of which `user` is an active data-protection officer."""
    return org_ids(user, roles={Role.DPO})


def dpo_region_ids(user) -> set[int]:
    """The regions of which `user` is the DPO: a DPO of the organisation that runs the scheme there."""
    return {
        m.organisation.region_id
        for m in active_memberships(user)
        if m.role == Role.DPO and m.organisation.region.scheme_organisation_id == m.organisation_id
    }


def is_dpo(user) -> bool:
    return bool(dpo_organisation_ids(user))


def dpo_default_organisation(user) -> int | None:
    """The organisation a DPO reads a list for (the access log's search, a search of people): their region's scheme
    organisation when they are the region's DPO, else the first of their organisations."""
    regions, organisations = dpo_region_ids(user), dpo_organisation_ids(user)
    for membership in active_memberships(user):
        if membership.organisation.region_id in regions and membership.organisation_id in organisations:
            if membership.organisation.region.scheme_organisation_id == membership.organisation_id:
                return membership.organisation_id
    return min(organisations, default=None)


def involving(pathways) -> Q:
    """On Organisation rows: those involved in one of `pathways` (they opened, prescribed, hold a stage of or joined
    it). The ways an organisation follows a person, for their DPO's remit and for erasure."""
    return (
        Q(opened_pathways__in=pathways)
        | Q(prescribed_pathways__in=pathways)
        | Q(stages__pathway__in=pathways)
        | Q(partner_pathways__pathway__in=pathways)
    )


def involved_organisation_ids(beneficiary: Beneficiary) -> set[int]:
    """The organisations that may see `beneficiary`: `involving` one of their pathways, or reaching them through a
    registered pathway source (a speaking group's support structure); one query per source more."""
    pathways = Pathway.objects.filter(beneficiary=beneficiary)
    return set(Organisation.objects.filter(involving(pathways)).values_list("pk", flat=True)) | (
        reaching_organisation_ids(beneficiary)
    )


# The data-protection officer's remit (issue 20): the people whose rights a DPO answers (their access log, their
# data-protection page, their right-of-access export). The region's DPO: every person of the region; an
# organisation's DPO: the people their organisation follows (`involving`, or a registered pathway source: a speaking
# group's support structure follows the people enrolled in the group's sessions). Defined once, here, in its two
# forms: a subquery of people (`dpo_people`, for a search) and the check of one person with the organisation the DPO
# acts for (`dpo_acting_organisation`); a test keeps them equal. A DPO reads no case (`visible_pathway_ids` ignores
# the role): their remit opens only the pages that serve the person's rights. Like every scope, it honours objections:
# a person who objected to a sharing with the DPO's organisation is out of that DPO's remit (`objected_people`); their
# referent, or the DPO of another organisation, answers them.


def dpo_people(user):
    """The ids of the people in `user`'s DPO remit, as a subquery (none without an active DPO membership)."""
    organisations = dpo_organisation_ids(user)
    if not organisations:
        return Beneficiary.objects.none().values("pk")
    condition = (
        Q(opened_by__in=organisations)
        | Q(prescribing_organisation__in=organisations)
        | Q(pk__in=Stage.objects.filter(organisation__in=organisations).values("pathway_id"))
        | Q(pk__in=PathwayPartner.objects.filter(organisation__in=organisations).values("pathway_id"))
    )
    for pathways_followed in _FOLLOWED:
        condition |= Q(pk__in=pathways_followed(organisations))
    followed = Pathway.objects.filter(condition).values("beneficiary_id")
    return (
        Beneficiary.objects.filter(Q(region__in=dpo_region_ids(user)) | Q(pk__in=followed))
        .exclude(pk__in=objected_people(user))
        .values("pk")
    )


def dpo_acting_organisation(user, beneficiary: Beneficiary) -> int | None:
    """The organisation for which `user` answers `beneficiary`'s rights as a DPO, None outside their remit: the
    region's scheme organisation for the region's DPO, else the first of their organisations that follows the
    person, unless the person objected to one of the user's organisations. No query for a user who is no DPO."""
    dpo_orgs = dpo_organisation_ids(user)
    if not dpo_orgs:
        return None
    if SharingObjection.objects.active().filter(beneficiary=beneficiary, organisation__in=org_ids(user)).exists():
        return None
    if beneficiary.region_id in dpo_region_ids(user):
        return next(
            m.organisation_id
            for m in active_memberships(user)
            if m.role == Role.DPO
            and m.organisation.region_id == beneficiary.region_id
            and m.organisation.region.scheme_organisation_id == m.organisation_id
        )
    involved = sorted(dpo_orgs & involved_organisation_ids(beneficiary))
    return involved[0] if involved else None


def get_for_dpo_or_404(queryset, request, **lookup):
    """`get_for_user_or_404` for a DPO's pages about a person's rights: the person (a Beneficiary) in the user's DPO
    remit, or 404; the access log records the read (a change for any other method than GET) on behalf of the
    organisation the DPO acts for. Returns (person, acting organisation id)."""
    person = get_object_or_404(queryset.filter(pk__in=dpo_people(request.user)), **lookup)
    acting = dpo_acting_organisation(request.user, person)
    if acting is None:  # the two forms of the remit disagree: never open the page on one of them alone
        raise Http404
    organisation = next(m.organisation for m in active_memberships(request.user) if m.organisation_id == acting)
    record_access(request, person, acting=organisation)
    return person, acting


def access_log_reader(user, beneficiary: Beneficiary) -> tuple[bool, int | None]:
    """Whether `user` may read who accessed `beneficiary`'s record, and the organisation they read it for: a DPO
    whose remit holds them (`dpo_acting_organisation`), the referent of one of their pathways (None, or the
    organisation through which they follow the person)."""
    if not active_memberships(user):
        return False, None
    acting = dpo_acting_organisation(user, beneficiary)
    if acting is not None:
        return True, acting
    if Pathway.objects.filter(beneficiary=beneficiary, referent=user).exists():
        acting = acting_organisation(user, beneficiary)
        return True, acting.pk if acting else None
    return False, None


def log_people_listed(request, entries, *, action=AccessLog.Action.READ) -> int:
    """The access log of a page that lists people by name (a session's enrolled people, an attendance sheet, an
    inbox): one row per person shown, in one insert (`accounts.access_log.record_many`). `entries` yields (person
    or person id, ids of the organisations through which the page shows them); the acting organisation is the first
    of those the reader works for with people, else their organisation when they work with people for one only. An
    htmx GET (a poll, a fragment reloaded) is not a new read. An export of the list passes `action=EXPORT`."""
    if is_background_poll(request):
        return 0
    view_name = request.resolver_match.view_name if request.resolver_match else ""
    return log_people(request.user, entries, view_name=view_name, action=action)


def log_people(user, entries, *, view_name: str, action=AccessLog.Action.READ) -> int:
    """`log_people_listed` without a request (a list exported by a worker for `user`)."""
    person_orgs = org_ids(user, roles=PERSON_ROLES)
    only = next(iter(person_orgs)) if len(person_orgs) == 1 else None
    return access_log.record_many(
        user=user,
        people=[
            (person, next((org for org in candidates if org in person_orgs), only)) for person, candidates in entries
        ],
        view_name=view_name,
        action=action,
    )
