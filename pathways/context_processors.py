from pathways import scoping


def memberships(request):
    """What the navigation needs about the user: their active memberships and what they may do."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    active = scoping.active_memberships(user)
    managed = sorted({m.organisation for m in active if m.role == scoping.Role.ORG_MANAGER}, key=lambda org: org.name)
    return {
        "nav_memberships": active,
        "nav_can_enrol": scoping.can_enrol(user),
        "nav_sees_people": bool(scoping.org_ids(user, roles=scoping.PERSON_ROLES)),
        "nav_takes_attendance": bool(
            scoping.org_ids(user, roles=scoping.STAGE_STAFF_ROLES, kinds={scoping.Organisation.Kind.TRAINING_BODY})
        ),
        "nav_managed_organisations": managed,
        # The charter in the main menu for those who sign it or follow its signatures (the regional officers and
        # basin coordinators of a funder, as `charter.services.regions_followed`); in the user menu otherwise.
        "nav_charter": any(m.is_legal_representative for m in active)
        or bool(
            scoping.org_ids(
                user,
                roles={scoping.Role.REGIONAL_OFFICER, scoping.Role.BASIN_COORDINATOR},
                kinds={scoping.Organisation.Kind.FUNDER},
            )
        ),
        "nav_organisations": sorted({m.organisation for m in active}, key=lambda org: org.name),
        # The regions whose data-protection officer the user is (`scoping.dpo_region_ids`): their retention durations.
        "nav_retention_regions": sorted(
            {
                m.organisation.region
                for m in active
                if m.role == scoping.Role.DPO and m.organisation.region.scheme_organisation_id == m.organisation_id
            },
            key=lambda region: region.name,
        ),
    }
