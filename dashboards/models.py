"""The rollup tables behind the dashboards (issue 18, docs/design.md §7: heavy aggregates from rollup tables
maintained by workers, never from raw scans at page load).

Two levels, both rebuilt from the raw tables by `dashboards.rollups` only:

- **Facts** (`StageFact`, `AlertFact`): one row per stage that really started (the rupture rate's cohort unit) and
  one per alert, holding what is costly to work out (the basin rule, the rate's numerator with its chaining test,
  the checklist and speaking-group splits, re-engagement, reactivity delays) as plain columns. Every column is
  computed by the reference service functions' own expressions (`ruptures.rates`, `checklist.services`,
  `speaking_groups.stats`): never a second definition. Drill-down lists and medians read them.
- **Rollups** (`MonthlyRollup`, `DailyRollup`): sums of the facts per basin × training action × organisation ×
  month (or day, for custom periods). The dashboard figures are sums over a handful of these rows.

`RollupQueue` is the outbox of stages whose facts must be recomputed (written in the same transaction as the change),
and `RollupStamp` the freshness shown on the dashboard.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from pathways.models import Basin, Organisation, Pathway, Programme, Region, Session, Stage, TrainingAction


class StageFact(models.Model):
    """One stage that really started (`actual_start` set, not cancelled), as the dashboards count it."""

    stage = models.OneToOneField(Stage, on_delete=models.CASCADE, primary_key=True, related_name="+")
    pathway = models.ForeignKey(Pathway, on_delete=models.CASCADE, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    # The one basin rule: the training action's basin; outside a session, the employer's commune's basin; else the
    # person's commune's basin (`pathways.models.StageQuerySet.with_basin`).
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, null=True, related_name="+")
    training_action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, null=True, related_name="+")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")  # Stage.organisation
    funder = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")
    prescriber = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")
    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, null=True, related_name="+")
    referent_id = models.BigIntegerField(null=True)  # Pathway.referent (a user id; no user data is copied)
    kind = models.CharField(max_length=30, choices=Stage.Kind.choices)
    status = models.CharField(max_length=20, choices=Stage.Status.choices)
    exit_destination = models.CharField(max_length=10, blank=True)
    started_on = models.DateField()  # Stage.actual_start: the cohort's date
    ended_on = models.DateField(null=True)  # Stage.actual_end

    # Ruptures (ruptures.rates): the stage's rupture, if any, and whether the rate counts it.
    rupture_kind = models.CharField(max_length=20, blank=True)
    rupture_on = models.DateField(null=True)
    main_cause = models.CharField(max_length=40, blank=True)
    counted_rupture = models.BooleanField(default=False)  # in the rate's numerator
    interruptions = models.PositiveSmallIntegerField(default=0)  # interruption rows (pauses), apart from the rate
    contract_break_followed = models.BooleanField(default=False)
    re_engaged_3_months = models.BooleanField(default=False)  # ruptures.rates.re_engagement's windows
    re_engaged_6_months = models.BooleanField(default=False)
    post_rupture_case = models.BooleanField(default=False)

    # Splits (docs/design.md §4).
    in_session = models.BooleanField(default=False)  # taken in a session: a checklist is for it
    with_checklist = models.BooleanField(default=False)
    participant = models.BooleanField(default=False)  # speaking-group participant

    # Reactivity (RÉACTIVITÉ) of the stage's rupture.
    first_absence_at = models.DateField(null=True)  # first unjustified absence of the stage
    follow_ups_before_rupture = models.PositiveIntegerField(default=0)

    # Traceability (TRAÇABILITÉ) and reality (RÉALITÉ).
    followed_within_30_days = models.BooleanField(null=True)  # ended stages only
    preceded_by_immersion = models.BooleanField(null=True)  # qualifying trainings and apprenticeships only
    wait_days = models.IntegerField(null=True)  # days since the pathway's previous stage ended, when chained

    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            # A basin's dashboard over a period: entrants by start date.
            models.Index(fields=["basin", "started_on"], name="stagefact_basin_start"),
            # A training body's / a prescriber's / a funder's dashboard over a period.
            models.Index(fields=["organisation", "started_on"], name="stagefact_org_start"),
            models.Index(fields=["prescriber", "started_on"], name="stagefact_prescriber_start"),
            # Ruptures by the month they occurred.
            models.Index(fields=["basin", "rupture_on"], name="stagefact_basin_rupture"),
            # Exits by the day they happened.
            models.Index(fields=["basin", "ended_on"], name="stagefact_basin_end"),
        ]

    def __str__(self):
        return f"stage {self.stage_id}"


class AlertFact(models.Model):
    """One alert, with its delays (RÉACTIVITÉ)."""

    alert_id = models.BigIntegerField(primary_key=True)
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, null=True, related_name="+")
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, null=True, related_name="+")  # inbox
    kind = models.CharField(max_length=30)
    created_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True)
    escalated = models.BooleanField(default=False)
    acknowledged_within_2_working_days = models.BooleanField(default=False)
    first_absence_on = models.DateField(null=True)  # the stage's first unjustified absence before the alert
    hours_from_first_absence = models.FloatField(null=True)
    hours_to_acknowledgement = models.FloatField(null=True)

    class Meta:
        indexes = [
            # A basin's alerts over a period.
            models.Index(fields=["basin", "created_at"], name="alertfact_basin_created"),
            # An organisation's alerts (scorecard).
            models.Index(fields=["organisation", "created_at"], name="alertfact_org_created"),
        ]

    def __str__(self):
        return f"alert {self.alert_id}"


class Rollup(models.Model):
    """Sums of `StageFact` per basin × training action × organisation × period bucket."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    basin = models.ForeignKey(Basin, on_delete=models.CASCADE, null=True, related_name="+")
    training_action = models.ForeignKey(TrainingAction, on_delete=models.CASCADE, null=True, related_name="+")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    entrants = models.PositiveIntegerField(default=0)
    ruptures = models.PositiveIntegerField(default=0)  # counted in the rate
    abandons = models.PositiveIntegerField(default=0)
    exclusions = models.PositiveIntegerField(default=0)
    contract_breaks = models.PositiveIntegerField(default=0)  # not followed: counted
    contract_breaks_followed = models.PositiveIntegerField(default=0)
    interruptions = models.PositiveIntegerField(default=0)
    positive_exits = models.PositiveIntegerField(default=0)
    in_session_entrants = models.PositiveIntegerField(default=0)
    checklist_entrants = models.PositiveIntegerField(default=0)
    checklist_ruptures = models.PositiveIntegerField(default=0)
    participant_entrants = models.PositiveIntegerField(default=0)
    participant_ruptures = models.PositiveIntegerField(default=0)
    re_engaged_3_months = models.PositiveIntegerField(default=0)
    re_engaged_6_months = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class MonthlyRollup(Rollup):
    month = models.DateField()  # first day of the entrants' month

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "training_action", "organisation", "month"],
                name="monthlyrollup_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [
            # A basin's months; the region's months.
            models.Index(fields=["basin", "month"], name="monthlyrollup_basin_month"),
            models.Index(fields=["region", "month"], name="monthlyrollup_region_month"),
            models.Index(fields=["organisation", "month"], name="monthlyrollup_org_month"),
        ]

    def __str__(self):
        return f"{self.basin_id} · {self.training_action_id} · {self.organisation_id} · {self.month:%Y-%m}"


class DailyRollup(Rollup):
    day = models.DateField()  # the entrants' start date

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["basin", "training_action", "organisation", "day"],
                name="dailyrollup_unique",
                nulls_distinct=False,
            )
        ]
        indexes = [
            # A custom period of a basin or of the region.
            models.Index(fields=["basin", "day"], name="dailyrollup_basin_day"),
            models.Index(fields=["region", "day"], name="dailyrollup_region_day"),
        ]

    def __str__(self):
        return f"{self.basin_id} · {self.training_action_id} · {self.organisation_id} · {self.day}"


class RollupQueue(models.Model):
    """Outbox: a stage whose facts (and its buckets' rollups) must be recomputed. Written in the same transaction
    as the change; claimed by `rollups_refresh_task`; swept by beat."""

    stage_id = models.BigIntegerField(primary_key=True)
    queued_at = models.DateTimeField(auto_now_add=True)
    claimed_until = models.DateTimeField(null=True)

    def __str__(self):
        return f"stage {self.stage_id}"


class RollupCursor(models.Model):
    """How far a sweep of an append-only table has read (`dashboards.queue.sweep_mark_changes`: the attendance
    sheet's marks are written in bulk, so no signal reports them; their `MarkChange` rows are read by id)."""

    name = models.CharField(max_length=40, primary_key=True)
    position = models.BigIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.position}"


class RollupStamp(models.Model):
    """When the facts were last brought up to date (one row per region): the dashboard's freshness."""

    region = models.OneToOneField(Region, on_delete=models.CASCADE, primary_key=True, related_name="+")
    refreshed_at = models.DateTimeField()
    rebuilt_at = models.DateTimeField(null=True)

    class Meta:
        verbose_name = _("fraîcheur des tableaux de bord")

    def __str__(self):
        return f"{self.region_id}: {self.refreshed_at}"
