"""Writes of the dashboards' pages: the access log of the named rows a drill-down list shows (stage facts or alert
facts)."""

from accounts import access_log
from pathways import scoping


def drilldown_access_record(*, user, facts, view_name: str) -> None:
    """One access log row per person shown by name on a drill-down page (as a person page writes one), in one
    insert. The acting organisation is the reader's organisation that holds or prescribed the stage."""
    person_orgs = scoping.org_ids(user, roles=scoping.PERSON_ROLES)
    people = []
    for fact in facts:
        holders = (fact.organisation_id, getattr(fact, "prescriber_id", None))  # an alert fact: its inbox
        acting = next((org for org in holders if org in person_orgs), None)
        pathway = fact.stage.pathway
        # The person read with the page (their name is shown) gives the row's region without another query.
        loaded = pathway._meta.get_field("beneficiary").is_cached(pathway)
        people.append((pathway.beneficiary if loaded else pathway.beneficiary_id, acting))
    access_log.record_many(user=user, people=people, view_name=view_name)
