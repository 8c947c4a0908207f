from django.db import migrations

# Frozen here: the roles of a training body's staff (pathways.scoping.STAGE_STAFF_ROLES) and the consent scopes.
STAFF_ROLES = ("trainer", "pedagogical_manager", "org_manager")
WITH_PRESCRIBER = ("both", "prescriber")
WITH_REFERENT = ("both", "referent")


def actions_only_to_those_who_see_the_checklist(apps, schema_editor):
    """Follow-up actions given before the rule to someone who does not see the checklist (the person refused to
    share it, or shared it with others), or on a health item to someone who may not read it, go to the staff
    member who started the checklist (or, if they left, a member of its training body's staff); their to-dos
    ("checklist-answer:<checklist>:<item>") move with them, so that their text leaves the other person's list."""
    ChecklistAnswer = apps.get_model("checklist", "ChecklistAnswer")
    Membership = apps.get_model("pathways", "Membership")
    Todo = apps.get_model("notifications", "Todo")
    answers = ChecklistAnswer.objects.filter(action_owner__isnull=False).select_related(
        "item", "checklist__stage__pathway"
    )
    staff_of = {}
    for answer in answers.iterator():
        checklist = answer.checklist
        pathway = checklist.stage.pathway
        if checklist.organisation_id not in staff_of:
            staff_of[checklist.organisation_id] = list(
                Membership.objects.filter(
                    organisation=checklist.organisation_id,
                    role__in=STAFF_ROLES,
                    is_active=True,
                    organisation__is_active=True,
                )
                .order_by("pk")
                .values_list("user_id", flat=True)
            )
        staff = staff_of[checklist.organisation_id]
        owner = answer.action_owner_id
        shared_with_referent = bool(checklist.consent) and checklist.consent_scope in WITH_REFERENT
        shared_with_prescriber = bool(checklist.consent) and checklist.consent_scope in WITH_PRESCRIBER
        if (
            owner in staff
            or (owner == pathway.referent_id and shared_with_referent)
            or (owner == pathway.prescribing_adviser_id and shared_with_prescriber and not answer.item.sensitive)
        ):
            continue
        new_owner = checklist.created_by_id if checklist.created_by_id in staff or not staff else staff[0]
        ChecklistAnswer.objects.filter(pk=answer.pk).update(action_owner=new_owner)
        Todo.objects.filter(source_key=f"checklist-answer:{checklist.pk}:{answer.item.code}").update(owner=new_owner)


class Migration(migrations.Migration):
    """A follow-up action goes only to someone who sees the checklist (and, on a health item, may read it): the
    actions given otherwise before the rule, and their to-dos, go back to the training body."""

    dependencies = [
        ("checklist", "0006_notifications_follow_their_stage"),
        ("notifications", "0004_kinds_registered_content_follows_the_stage"),
        ("pathways", "0006_region_scheme_organisation_trainingaction_funder"),
    ]

    operations = [
        migrations.RunPython(actions_only_to_those_who_see_the_checklist, migrations.RunPython.noop),
    ]
