"""The demo's background population: a few thousand fictional people in 2 or 3 basins of the demo region, so that
every per-basin dashboard shows plausible figures above the small-count threshold (issue 18).

`seed_demo` tells about 200 named stories event by event through the services; this module adds, beside them and
without touching them, about 2,700 people over the last 18 months in the basins of Bordeaux, Libourne and Langon:

- organisations with obviously fake names ("… (fictif)"): training bodies and their actions and sessions,
  prescribers of each kind, a support structure per basin; their staff in proportion to the caseload (a referent
  follows 15 to 25 open pathways); the demo's funders (Région, DREETS, OPCOs, Agefiph) fund their actions;
- one pathway per person: sometimes an orientation or a pre-qualification first, a company immersion before some
  qualifying trainings and apprenticeships, then the main stage, whose fate depends on the anticipation devices:
  about 8 % of ruptures among checklisted entrants, about 30 % without a checklist, almost none among speaking-group
  participants (seed 000's figures); interruptions and positive exits apart; apprenticeship contract breaks, some
  followed by a new contract; every cause family;
- before each abandon, a run of unjustified absences, a drift confirmed by the rupture and the reminders made
  (or the reason why none could be); the rupture's alert, acknowledged within hours or days (some after an
  escalation); after a rupture, a new stage within 3 or 6 months for many, a post-rupture case for a few;
- attendance marks of every stage that started in a session, a speaking group per basin with its workshops and who
  came, pre-entry checklists (some at risk, alerting the prescriber).

It reuses the regional generator's building blocks (`pathways.management.scale.Generator`: staff, offer, stages,
ruptures and their alerts, checklists), writing through a writer that works on SQLite as well as PostgreSQL (COPY
there, `executemany` on SQLite). The rows are history, not new events: no signal, no notification, no alert
delivery, no rollup refresh is queued for them (the rollups are rebuilt at the end of `seed_demo`).

Deterministic: one `random.Random(SEED)` drawn in a fixed order, dates counted from `today`.
"""

import bisect
import datetime
import json

from django.db import connection
from django.db.models import Count
from django.utils import timezone

from core.calendar import _holidays
from pathways.management.commands.seed_demo import (
    BACKGROUND_PEOPLE,
    FIRST_NAMES,
    FUNDER,
    LAST_NAMES,
    fake_siret,
    fiction_phone,
)
from pathways.management.scale import (
    APPR,
    PR_LABEL,
    PREQ,
    PROMO,
    QUAL,
    TRACKS,
    TRADES,
    Generator,
    Org,
    Table,
    Writer,
    monday,
    weekdays,
    zipf,
)
from pathways.models import (
    Basin,
    Commune,
    Employer,
    Enrolment,
    Membership,
    Organisation,
    Programme,
    Session,
    default_afternoon_end,
    default_afternoon_start,
    default_morning_end,
    default_morning_start,
)
from speaking_groups.models import PostRuptureCase, SpeakingGroup, Workshop, WorkshopAttendance

Role = Membership.Role
Kind = Organisation.Kind
PKind = Organisation.PrescriberKind

SEED = 2027
PEOPLE = BACKGROUND_PEOPLE
# The basins of the background population (INSEE ZE2020 codes of the demo's extract) and their share of it.
BASINS = [("7505", 50), ("7516", 27), ("7514", 23)]
# Per basin: training bodies, prescriber kinds (in order of weight).
TRAINING_BODY_NAMES = [
    "Les Ateliers Imaginaires",
    "Institut Chimère des Métiers",
    "Centre Factice de Formation",
    "École Fictive des Savoirs",
]
PRESCRIBER_KINDS = {
    "7505": [PKind.FRANCE_TRAVAIL, PKind.MISSION_LOCALE, PKind.DEPARTEMENT, PKind.PLIE],
    "7516": [PKind.FRANCE_TRAVAIL, PKind.MISSION_LOCALE, PKind.CAP_EMPLOI],
    "7514": [PKind.MISSION_LOCALE, PKind.FRANCE_TRAVAIL, PKind.DEPARTEMENT],
}
BODIES_PER_BASIN = {"7505": 4, "7516": 3, "7514": 3}
MARKER = "(fictif)"  # every background organisation's name ends with it
# The demo's funders, under the names the regional generator's offer uses.
FUNDER_NAMES = {
    "DREETS": "DREETS Nouvelle-Aquitaine",
    "Agefiph": "Agefiph Nouvelle-Aquitaine",
    "OPCO EP": "OPCO EP Nouvelle-Aquitaine",
    "Constructys": "Constructys Nouvelle-Aquitaine",
    "AKTO": "AKTO Nouvelle-Aquitaine",
    "OCAPIAT": "OCAPIAT Nouvelle-Aquitaine",
    "OPCO Santé": "OPCO Santé Nouvelle-Aquitaine",
    "Uniformation": "Uniformation Nouvelle-Aquitaine",
}

# Chances of the main stage's fate (docs/design.md §4; seed 000: 7 % among checklisted entrants, none among
# speaking-group participants).
RUPTURE_CHANCE = {"participant": 0.0, "checklist": 0.16, "none": 0.5}
APPRENTICESHIP_RUPTURE_CHANCE = {"participant": 0.0, "checklist": 0.22, "none": 0.5}  # contract breaks
POSITIVE_EXIT_CHANCE = 0.05
INTERRUPTION_CHANCE = 0.08  # of the stages of sessions under way
CHECKLIST_CHANCE = 0.85
# People followed by a referent (a fifth of the pathways close): 15 to 25 open pathways each (seed 001 recommends
# 15 to 20).
CASELOAD = 24
TRACK_CYCLE = [QUAL, APPR, PREQ, APPR, PROMO, QUAL]
PARTICIPATION_CHANCE = 0.55  # of the people of a session a speaking group runs on
IMMERSION_CHANCE = 0.35  # before a qualifying training or an apprenticeship
FOLLOWED_BREAK_CHANCE = 0.35  # a contract break followed by a new contract

WORKSHOP_THEMES = [
    "Trouver sa place dans le groupe",
    "Concilier formation et vie de famille",
    "Les premières semaines en formation",
    "Parler de ses difficultés sans se justifier",
    "Préparer la période en entreprise",
]
REMINDER_COMMENTS = {
    "no_answer": "Messagerie ; message laissé.",
    "reached": "Jointe : dit revenir lundi, n'est pas revenue.",
    "refuses": "Ne souhaite pas reprendre la formation.",
}
CASE_OUTCOMES = ["other_training", "job", "other_support", "lost_contact"]


class PortableWriter(Writer):
    """The generator's writer on SQLite too: ids reserved past the table's largest (the load is one transaction),
    rows written by `executemany`. On PostgreSQL, the generator's own (sequences, COPY)."""

    def __init__(self):
        super().__init__()
        self.sqlite = connection.vendor == "sqlite"
        self.adapted = {}

    def reserve(self, table: str, count: int) -> int:
        if not self.sqlite:
            return super().reserve(table, count)
        c = self.cursor
        c.execute(f"SELECT COALESCE(MAX(id), 0) FROM {table}")  # noqa: S608 (a table name of ours)
        largest = c.fetchone()[0]
        c.execute("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = %s", [table])
        return max(largest, c.fetchone()[0]) + 1

    def adapt(self, value):
        if isinstance(value, datetime.datetime):
            adapted = self.adapted.get(value)
            if adapted is None:
                adapted = self.adapted[value] = connection.ops.adapt_datetimefield_value(value)
            return adapted
        if isinstance(value, datetime.date | datetime.time):
            return value.isoformat()
        return value

    def copy(self, table: str, columns: list[str], rows) -> int:
        if not self.sqlite:
            return super().copy(table, columns, rows)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        adapt = self.adapt
        batch, n = [], 0
        for row in rows:
            batch.append([adapt(v) for v in row])
            if len(batch) == 20000:
                self.cursor.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)
            n += len(batch)
        self.counts[table] += n
        return n


class BackgroundPopulation(Generator):
    """The regional generator, in the existing demo region, on a few of its basins, with the demo's story rules."""

    pathways_per_adviser = 12  # more advisers than needed: `least_busy` fills their caseloads up to CASELOAD
    people_per_action = 150
    window_past, window_future = 540, 120  # sessions start from 18 months ago to 4 months ahead

    def __init__(self, *, region, people: int, today: datetime.date, password: str, domain: str, stdout=None):
        self.demo_region = region
        super().__init__(
            people=people, seed=SEED, region_code=region.code, today=today, stdout=stdout, password=password
        )
        self.writer = PortableWriter()
        self.domain = domain

    def run(self):
        self.now = timezone.now()
        self.step("population de fond : structures et comptes", self.build_reference)
        self.step("population de fond : offre de formation", self.build_offer)
        self.step("population de fond : personnes, parcours, ruptures", self.build_people)
        self.step("population de fond : groupes de parole", self.build_speaking_groups)
        self.step("population de fond : émargements", self.build_attendance)
        self.step("population de fond : statistiques", self.analyze)

    # Territory, organisations, staff ------------------------------------------------------------------------

    def build_reference(self):
        self.region = self.demo_region
        basins = {b.code: b for b in Basin.objects.filter(region=self.region, code__in=[c for c, _w in BASINS])}
        self.basins = [basins[code] for code, _w in BASINS]
        self.basin_weights = [w for _c, w in BASINS]
        self.communes_of = [
            list(Commune.objects.filter(basin=basin).order_by("code")) or [None] for basin in self.basins
        ]
        self.programmes = dict(Programme.objects.filter(code__in=TRACK_PROGRAMMES).values_list("code", "pk"))
        self.build_organisations()
        self.build_staff()
        self.build_employers()

    def build_organisations(self):
        specs = []  # (name, kind, prescriber kind, basin index, weight)
        for b, (code, weight) in enumerate(BASINS):
            basin_name = self.basins[b].name
            count = BODIES_PER_BASIN[code]
            for rank, share in enumerate(zipf(count, 0.8)):
                specs.append(
                    (f"{TRAINING_BODY_NAMES[rank]} {basin_name} {MARKER}", Kind.TRAINING_BODY, "", b, weight * share)
                )
            kinds = PRESCRIBER_KINDS[code]
            for pkind, share in zip(kinds, zipf(len(kinds), 0.8), strict=True):
                specs.append((f"{PR_LABEL[pkind]} {basin_name} {MARKER}", Kind.PRESCRIBER, pkind, b, weight * share))
            specs.append((f"Écoute et Parole {basin_name} {MARKER}", Kind.SUPPORT, "", b, 1))
        objects = []
        for name, kind, pkind, b, _w in specs:
            commune = self.communes_of[b][0]
            objects.append(
                Organisation(
                    name=name,
                    kind=kind,
                    prescriber_kind=pkind,
                    siret=fake_siret(f"background:{name}"),
                    region=self.region,
                    address=commune.name if commune else "",
                    phone=fiction_phone(7000 + len(objects) * 41, "053649"),
                    alert_inbox_email="",
                )
            )
        created = Organisation.objects.bulk_create(objects)
        self.org_basin = {}
        self.orgs = [
            Org(pk=o.pk, name=o.name, kind=o.kind, basin=spec[3], weight=spec[4], prescriber_kind=spec[2])
            for o, spec in zip(created, specs, strict=True)
        ]
        Organisation.basins.through.objects.bulk_create(
            [Organisation.basins.through(organisation_id=o.pk, basin_id=self.basins[o.basin].pk) for o in self.orgs]
        )
        funders = {o.name: o for o in Organisation.objects.filter(region=self.region, kind=Kind.FUNDER)}
        self.funders = {
            short: Org(pk=funders[name].pk, name=name, kind=Kind.FUNDER, basin=0, weight=1)
            for short, name in FUNDER_NAMES.items()
        }
        self.regional_funder = Org(pk=funders[FUNDER].pk, name=FUNDER, kind=Kind.FUNDER, basin=0, weight=1)
        self.bodies = [o for o in self.orgs if o.kind == Kind.TRAINING_BODY]
        self.body_rank = {}
        for o in self.bodies:
            self.body_rank[o.pk] = sum(1 for other in self.body_rank if self.org_basin[other] == o.basin)
            self.org_basin[o.pk] = o.basin
        self.prescribers = [o for o in self.orgs if o.kind == Kind.PRESCRIBER]
        self.supports = {o.basin: o for o in self.orgs if o.kind == Kind.SUPPORT}

    def build_employers(self):
        """A company of each sector in each basin (a stage outside a session belongs to its employer's basin: the
        people's immersions, contracts and jobs stay in their basin)."""
        sectors = sorted({sector for _t, sector in TRADES})
        employers, keys = [], []
        for b, communes in enumerate(self.communes_of):
            for i, sector in enumerate(sectors):
                commune = self.rng.choice(communes)
                name = f"{self.rng.choice(LAST_NAMES)} {sector.replace('_', ' ').title()} {MARKER}"
                employers.append(
                    Employer(
                        name=f"{name} {b + 1}-{i + 1}",
                        siret=fake_siret(f"background-employer:{b}:{sector}"),
                        region=self.region,
                        commune=commune,
                        contact_name=f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}",
                        contact_email=f"contact{len(employers) + 1}@example.org",
                    )
                )
                keys.append((b, sector))
        created = Employer.objects.bulk_create(employers)
        self.local_employers = {key: employer.pk for key, employer in zip(keys, created, strict=True)}
        self.employers_of = {
            b: [pk for (eb, _s), pk in self.local_employers.items() if eb == b] for b in range(len(self.basins))
        }
        self.all_employers = [e.pk for e in created]

    def employer_in(self, basin: int, sector: str) -> int:
        return self.local_employers.get((basin, sector)) or self.rng.choice(self.employers_of[basin])

    def draw_track(self, body, index: int) -> str:
        """Every basin has actions of every track: a training body's actions cycle through them."""
        return TRACK_CYCLE[(index + 2 * self.body_rank[body.pk]) % len(TRACK_CYCLE)]

    # People ---------------------------------------------------------------------------------------------------

    def build_people(self):
        w = self.writer
        n = self.people
        self.extra = {
            "drift": Table(
                "attendance_drift",
                ["stage_id", "reason", "status", "detail", "risk", "opened_at", "presumed_at", "escalated_at"]
                + ["closed_at", "closure", "closing_note", "decided_by_id"],
            ),
            "attempt": Table(
                "attendance_followupattempt", ["drift_id", "channel", "outcome", "comment", "at", "by_id"]
            ),
            "reminder": Table("ruptures_rupture_reminders", ["rupture_id", "followupattempt_id"]),
        }
        for key, table in self.extra.items():
            table.first = w.reserve(table.name, {"drift": n, "attempt": 3 * n, "reminder": 3 * n}[key])
        self.marked = []  # (stage, session plan, first day, last day, absent from, trainer, only present)
        self.participants = []  # (stage, session plan, first day, last day)
        self.case_ruptures = []  # (rupture pk, basin index, occurred on, outcome)
        self.caseload = {}  # adviser -> people
        self.group_bodies = {
            max((o for o in self.bodies if o.basin == b), key=lambda o: o.weight).pk for b in range(len(self.basins))
        }
        super().build_people()
        for table in self.extra.values():
            w.copy(table.name, table.columns, table.rows)
            table.rows = []

    def least_busy(self, staff: list[int]) -> int:
        """Who of `staff` follows the next person: the first whose caseload is not full yet, else the least busy
        (an agency shares its people out; the generator plans more advisers than needed, the last ones follow few
        people or none yet)."""
        chosen = next((pk for pk in staff if self.caseload.get(pk, 0) < CASELOAD), None)
        if chosen is None:
            chosen = min(staff, key=lambda pk: (self.caseload.get(pk, 0), pk))
        self.caseload[chosen] = self.caseload.get(chosen, 0) + 1
        return chosen

    def fit_capacities(self):
        counts = dict(
            Enrolment.objects.filter(session_id__in=[p.pk for p in self.sessions])
            .values_list("session_id")
            .annotate(n=Count("pk"))
            .order_by()
        )
        sessions = list(Session.objects.filter(pk__in=counts))
        for session in sessions:
            session.capacity = max(session.capacity, counts[session.pk])
        Session.objects.bulk_update(sessions, ["capacity"], batch_size=500)

    def person(self, i: int):
        rng, t, today = self.rng, self.tables, self.today
        home_basin = rng.choices(range(len(self.basins)), self.basin_weights)[0]
        body = self.pick_body(home_basin)
        action = rng.choices(body.actions, [2 if a.track == APPR else 1 for a in body.actions])[0]
        period = rng.choices(["past", "current", "upcoming"], [47, 40, 13])[0]
        session, period = self.pick_session(action, period)
        track = action.track
        young = track in (APPR, PROMO) or rng.random() < 0.45
        age = rng.randint(16, 17) if track == PROMO else rng.randint(16, 25) if young else rng.randint(26, 58)
        birth = today - datetime.timedelta(days=365 * age + rng.randint(30, 360))
        home = body.basin if rng.random() < 0.9 else home_basin
        commune = rng.choice(self.communes_of[home])
        identity = self.identity(i)

        direct = track == APPR and rng.random() < 0.6  # a CFA enrols the apprentice itself
        trainers = body.staff.get(Role.TRAINER) or body.staff[Role.ORG_MANAGER]
        trainer = session.trainer
        managers = body.staff.get(Role.PEDAGOGICAL_MANAGER) or trainers
        if direct:
            prescriber, adviser = None, None
            referent = self.least_busy(trainers + managers)
            opened_by, manager = body, rng.choice(managers)
        else:
            prescriber = self.pick_prescriber(home, age)
            adviser = self.least_busy(prescriber.staff[Role.PRESCRIBER_ADVISER])
            referent = adviser
            if rng.random() < 0.1:
                referent = self.least_busy(trainers + managers)
            opened_by, manager = prescriber, adviser

        start = session.start
        opened_on = start - datetime.timedelta(days=rng.randint(15, 60))
        chained_preq = None
        if track == QUAL and rng.random() < 0.25:  # a pre-qualification first, at the same body
            preq_actions = [a for a in body.actions if a.track == PREQ]
            if preq_actions:
                candidates = [s for s in rng.choice(preq_actions).sessions.get("past", []) if s.end < start]
                if candidates:
                    chained_preq = max(candidates, key=lambda s: s.end)
                    opened_on = chained_preq.start - datetime.timedelta(days=rng.randint(15, 45))
        immersion = None
        if track in (QUAL, APPR) and chained_preq is None and rng.random() < IMMERSION_CHANCE:
            day = weekdays(start, -rng.randint(25, 50))
            immersion = (monday(day), weekdays(monday(day), 11))
            opened_on = min(opened_on, immersion[0] - datetime.timedelta(days=rng.randint(10, 30)))
        oriented = not direct and chained_preq is None and immersion is None and rng.random() < 0.15
        if oriented:
            opened_on -= datetime.timedelta(days=35)
        opened_on = min(opened_on, today)

        ctx = self.open_pathway(
            i, identity, birth, commune, opened_on, manager, opened_by, prescriber, adviser, referent, oriented
        )
        pathway_row = ctx["row"]
        if chained_preq is not None:
            preq = self.stage(
                ctx,
                TRACKS[PREQ][0],
                body,
                chained_preq.action,
                chained_preq,
                chained_preq.start,
                chained_preq.end,
                chained_preq.start,
                chained_preq.end,
                "completed",
                trainer=chained_preq.trainer,
            )
            if self.checklist_items and rng.random() < CHECKLIST_CHANCE:
                self.checklist(ctx, preq, body, chained_preq.trainer, chained_preq.start, prescriber, adviser, referent)
        if immersion is not None and immersion[0] <= today:
            begin, end = immersion
            done = end <= today
            self.stage(
                ctx,
                "immersion",
                prescriber or body,
                None,
                None,
                begin,
                end,
                begin,
                end if done else None,
                "completed" if done else "in_progress",
                employer=self.employer_in(body.basin, action.sector),
            )
        employer = None
        if track == APPR:
            employer = self.employer_in(body.basin, action.sector)

        # The anticipation devices, then the main stage's fate.
        started = period != "upcoming"
        checklisted = start <= today + datetime.timedelta(days=30) and rng.random() < CHECKLIST_CHANCE
        participant = started and body.pk in self.group_bodies and rng.random() < PARTICIPATION_CHANCE
        chances = APPRENTICESHIP_RUPTURE_CHANCE if track == APPR else RUPTURE_CHANCE
        chance = chances["participant" if participant else "checklist" if checklisted else "none"]
        draw = rng.random()
        closed = None
        if not started:
            if draw < 0.08:
                status, actual_start, actual_end = "cancelled", None, weekdays(today, -rng.randint(1, 20))
                closed = ("Déménagement hors de la région.", actual_end) if rng.random() < 0.5 else None
            else:
                status, actual_start, actual_end = "planned", None, None
        else:
            last_day = session.end if period == "past" else today
            span = max(0, (last_day - start).days)
            actual_start = start
            if draw < chance:
                status = "exclusion" if rng.random() < 0.2 else "abandoned"
                actual_end = weekdays(start, rng.randint(min(span, 10), max(min(span, 10), span)))
            elif draw < chance + POSITIVE_EXIT_CHANCE:
                status = "positive_exit"
                actual_end = weekdays(start, rng.randint(min(span, 20), max(min(span, 20), span)))
            elif draw < chance + POSITIVE_EXIT_CHANCE + INTERRUPTION_CHANCE and period == "current":
                status, actual_end = "suspended", None
            else:
                status = "completed" if period == "past" else "in_progress"
                actual_end = session.end if period == "past" else None
            if actual_end is not None:
                actual_end = max(actual_end, actual_start)
                if actual_end > today:
                    actual_end, status = None, "in_progress"
        db_status = "abandoned" if status == "exclusion" else status
        suspended_since = resume = None
        if status == "suspended":
            suspended_since = max(weekdays(today, -rng.randint(3, 40)), start)
            resume = suspended_since + datetime.timedelta(days=rng.randint(20, 90))
        stage = self.stage(
            ctx,
            TRACKS[track][0],
            body,
            action,
            session,
            start,
            session.end,
            actual_start,
            actual_end,
            db_status,
            employer=employer,
            destination="job" if status == "positive_exit" else "",
            suspended=(suspended_since, resume),
            trainer=trainer,
        )

        # Attendance: from the start to the end, today or the suspension; an abandon is preceded by a run of
        # unjustified absences (the drift's evidence).
        absent_from = None
        if actual_start is not None:
            last_marked = actual_end or (suspended_since - datetime.timedelta(days=1) if suspended_since else today)
            if status in ("abandoned", "exclusion"):
                absent_from = max(actual_start, last_marked - datetime.timedelta(days=rng.randint(5, 12)))
            if last_marked >= actual_start:
                # Isolated unjustified absences only for those who completed their stage: the absence rules find
                # nothing new today, and an alert's first absence is the run before it.
                noise = status == "completed"
                self.marked.append((stage, session, actual_start, last_marked, absent_from, trainer, noise))
            if participant:
                self.participants.append((stage, session, actual_start, actual_end or suspended_since or today))

        if checklisted and self.checklist_items:
            self.checklist(ctx, stage, body, trainer, start, prescriber, adviser, referent)

        kinds = {"abandoned": "abandon", "exclusion": "exclusion", "positive_exit": "positive_exit"}
        kinds["suspended"] = "interruption"
        re_engaged = None
        if status in kinds:
            kind = kinds[status]
            if track == APPR and kind == "abandon":
                kind = "contract_break"
            occurred = actual_end or suspended_since
            self.rupture(ctx, stage, kind, occurred, trainer, body, prescriber, adviser, referent, resume)
            if kind in ("abandon", "exclusion", "contract_break"):
                re_engaged = self.after_rupture(
                    ctx, kind, occurred, absent_from, body, prescriber, adviser, trainer, stage, action, employer
                )
                if re_engaged is None:
                    closed = (
                        ("Sans nouvelles malgré les relances du prescripteur.", weekdays(occurred, rng.randint(20, 60)))
                        if rng.random() < 0.6
                        else None
                    )
                if rng.random() < 0.12:
                    outcome = re_engaged or rng.choice(["other_support", "lost_contact", ""])
                    self.case_ruptures.append((t["rupture"].rows[-1][0], body.basin, occurred, outcome))

        # What follows a positive exit or a completion: a job, or the pathway's closure.
        if status == "positive_exit" or (status == "completed" and rng.random() < 0.2):
            hired = weekdays(actual_end, rng.randint(1, 20))
            if hired <= today:
                job_employer = self.employer_in(body.basin, action.sector)
                self.stage(
                    ctx,
                    "employment",
                    prescriber or body,
                    None,
                    None,
                    hired,
                    None,
                    hired,
                    None,
                    "in_progress",
                    employer=job_employer,
                )
        elif status == "completed" and rng.random() < 0.6:
            closed = ("Parcours terminé : formation achevée.", weekdays(actual_end, rng.randint(5, 30)))
        if closed is not None and closed[1] <= today:
            reason, on = closed
            row = list(t["pathway"].rows[pathway_row])
            row[1], row[3], row[4] = "closed", self.moment(on, i + 7), reason
            t["pathway"].rows[pathway_row] = tuple(row)

    def after_rupture(
        self, ctx, kind, occurred, absent_from, body, prescriber, adviser, trainer, stage, action, employer
    ):
        """The drift and reminders that came before a rupture, its alert's reactivity; then what followed it: a new
        contract after some contract breaks, a new stage within 3 or 6 months for many. Returns the post-rupture
        case's outcome matching what followed ("other_training", "job") or None when nothing followed."""
        rng, t, today = self.rng, self.tables, self.today
        rupture = list(t["rupture"].rows[-1])
        alert_index = len(t["alert"].rows) - 1
        declared = rupture[12]
        # The drift: opened at the second unjustified half-day, presumed after the reminders, confirmed by the
        # declaration.
        if absent_from is not None and rng.random() < 0.88:
            opened = self.moment(min(weekdays(absent_from, 1), today), 60)
            opened = min(opened, declared - datetime.timedelta(hours=2))
            reader = adviser or trainer
            drift = self.extra["drift"].add(
                stage,
                "consecutive",
                "confirmed",
                json.dumps({"count": rng.randint(4, 12)}),
                rng.randint(50, 100),
                opened,
                min(opened + datetime.timedelta(days=rng.randint(2, 5)), declared),
                None,
                declared,
                "",
                "",
                trainer,
            )
            rupture[15] = drift
            rupture[11] = ""  # reminders were made
            attempts = rng.randint(1, 3)
            span = max(1, int((declared - opened).total_seconds() // 3600) - 1)
            hours = sorted(rng.sample(range(1, span + 1), min(attempts, span)))
            for h, hour in enumerate(hours):
                outcome = "refuses" if h == len(hours) - 1 and rng.random() < 0.3 else "no_answer"
                attempt = self.extra["attempt"].add(
                    drift,
                    rng.choice(["call", "call", "sms", "email", "letter"]),
                    outcome,
                    REMINDER_COMMENTS[outcome],
                    opened + datetime.timedelta(hours=hour),
                    trainer if h % 2 == 0 else reader,
                )
                self.extra["reminder"].add(rupture[0], attempt)
        elif kind == "abandon":
            rupture[11] = (
                rupture[11] or "Numéro de téléphone plus attribué, aucune adresse e-mail : relance impossible."
            )
        else:
            rupture[11] = ""
        if absent_from is not None:
            rupture[3] = weekdays(absent_from, -1) if absent_from > stage_start(t, stage) else absent_from
        t["rupture"].rows[-1] = tuple(rupture)
        # Escalated when acknowledged after two working days (the escalation job ran before the acknowledgement).
        alert = list(t["alert"].rows[alert_index])
        if alert[3] is not None and alert[3] - alert[2] > datetime.timedelta(hours=52):
            alert[4] = alert[2] + datetime.timedelta(hours=48)
            t["alert"].rows[alert_index] = tuple(alert)

        # What followed.
        if kind == "contract_break" and rng.random() < FOLLOWED_BREAK_CHANCE:
            day = weekdays(occurred, rng.randint(10, 60))
            other = [e for e in self.employers_of[body.basin] if e != employer] or self.all_employers
            began = day <= today
            self.stage(
                ctx,
                "apprenticeship",
                body,
                None,
                None,
                day,
                weekdays(day, 300),
                day if began else None,
                None,
                "in_progress" if began else "planned",
                employer=rng.choice(other),
            )
            return "other_training"
        draw = rng.random()
        if prescriber is not None and draw < 0.45:
            day = weekdays(occurred, rng.randint(5, 80))
            if day <= today:
                end = weekdays(day, 30)
                done = end <= today
                self.stage(
                    ctx,
                    "orientation",
                    prescriber,
                    None,
                    None,
                    day,
                    end,
                    day,
                    end if done else None,
                    "completed" if done else "in_progress",
                )
                return "other_training"
        elif draw < 0.65:
            day = weekdays(occurred, rng.randint(60, 175))
            if day <= today:
                self.stage(
                    ctx,
                    "employment",
                    prescriber or body,
                    None,
                    None,
                    day,
                    None,
                    day,
                    None,
                    "in_progress",
                    employer=self.employer_in(body.basin, action.sector),
                )
                return "job"
        return None

    # Speaking groups, post-rupture cases -------------------------------------------------------------------

    def build_speaking_groups(self):
        """A group per basin, run by the basin's support structure on the sessions of its largest training body;
        a workshop every three weeks in each session; the participants drawn with their fate attend some."""
        rng, today = self.rng, self.today
        plans = []  # (group, facilitators, sessions)
        for b, support in sorted(self.supports.items()):
            body = next(o for o in self.bodies if o.pk in self.group_bodies and o.basin == b)
            facilitators = support.staff[Role.FACILITATOR]
            group = SpeakingGroup(
                support_organisation_id=support.pk,
                training_body_id=body.pk,
                name=f"Groupe de parole {self.basins[b].name} {MARKER}",
                co_facilitator_id=(body.staff.get(Role.PEDAGOGICAL_MANAGER) or [None])[0],
                created_by_id=facilitators[0],
            )
            sessions = sorted(
                (p for a in body.actions for runs in a.sessions.values() for p in runs), key=lambda p: p.pk
            )
            plans.append((group, facilitators, sessions))
        SpeakingGroup.objects.bulk_create([group for group, _f, _s in plans])  # no signal: history, not events
        SpeakingGroup.facilitators.through.objects.bulk_create(
            [SpeakingGroup.facilitators.through(speakinggroup_id=g.pk, user_id=u) for g, fs, _s in plans for u in fs]
        )
        SpeakingGroup.sessions.through.objects.bulk_create(
            [SpeakingGroup.sessions.through(speakinggroup_id=g.pk, session_id=p.pk) for g, _f, ss in plans for p in ss]
        )
        workshops = []
        for group, facilitators, sessions in plans:
            for session in sessions:
                day = weekdays(session.start, 9)
                while day <= min(session.end, today):
                    workshops.append(
                        Workshop(
                            group=group,
                            session_id=session.pk,
                            date=day,
                            start_time=datetime.time(14, 0),
                            end_time=datetime.time(16, 0),
                            theme=WORKSHOP_THEMES[len(workshops) % len(WORKSHOP_THEMES)],
                            co_facilitator_id=group.co_facilitator_id,
                            notes="",
                            created_by_id=facilitators[0],
                        )
                    )
                    day = weekdays(day, 21)
        workshops = Workshop.objects.bulk_create(workshops, batch_size=1000)
        by_session = {}
        for workshop in workshops:
            by_session.setdefault(workshop.session_id, []).append(workshop)
        attendances = []
        for stage, session, first_day, last_day in self.participants:
            held = [w for w in by_session.get(session.pk, []) if first_day <= w.date <= last_day]
            for workshop in rng.sample(held, min(len(held), rng.randint(1, 3))):
                attendances.append(
                    WorkshopAttendance(workshop=workshop, stage_id=stage, recorded_by_id=workshop.created_by_id)
                )
        WorkshopAttendance.objects.bulk_create(attendances, batch_size=2000)
        self.writer.counts["speaking_groups_workshop"] += len(workshops)
        self.writer.counts["speaking_groups_workshopattendance"] += len(attendances)

        cases = []
        for rupture, b, occurred, outcome in self.case_ruptures:
            support = self.supports[b]
            facilitator = support.staff[Role.FACILITATOR][0]
            outcome_on = weekdays(occurred, rng.randint(20, 90)) if outcome else None
            if outcome_on is not None and outcome_on > today:
                outcome, outcome_on = "", None
            cases.append(
                PostRuptureCase(
                    rupture_id=rupture,
                    support_organisation_id=support.pk,
                    requested_by_person=rng.random() < 0.3,
                    opened_by_id=facilitator,
                    notes="",
                    outcome=outcome,
                    outcome_on=outcome_on,
                    outcome_by_id=facilitator if outcome else None,
                )
            )
        PostRuptureCase.objects.bulk_create(cases)
        self.writer.counts["speaking_groups_postrupturecase"] += len(cases)

    # Calendars and attendance --------------------------------------------------------------------------------

    def build_attendance(self):
        """The half-day slots of every background session, and the marks of every stage that started in one:
        present most of the time; the run of unjustified absences before an abandon; no unjustified absence for
        the people in training today (the absence rules, run again, find nothing new)."""
        rng, w, today = self.rng, self.writer, self.today
        first = min(p.start for p in self.sessions)
        last = max(p.end for p in self.sessions)
        holidays = {day for year in range(first.year, last.year + 1) for day in _holidays(year)}
        am = (default_morning_start(), default_morning_end())
        pm = (default_afternoon_start(), default_afternoon_end())
        calendar = {}  # session pk -> [days]
        for plan in self.sessions:
            mask, days, day = TRACKS[plan.action.track][2], [], plan.start
            while day <= plan.end:
                if mask & (1 << day.weekday()) and day not in holidays:
                    days.append(day)
                day += datetime.timedelta(days=1)
            calendar[plan.pk] = days
        first_slot = w.reserve("attendance_slot", 2 * sum(len(days) for days in calendar.values()))
        slot_ids, slots = {}, []
        for plan in self.sessions:
            ids = slot_ids[plan.pk] = []
            for day in calendar[plan.pk]:
                pk = first_slot + len(slots)
                slots.append((pk, plan.pk, day, "am", *am, False, ""))
                slots.append((pk + 1, plan.pk, day, "pm", *pm, False, ""))
                ids.append((pk, pk + 1))
        columns = ["id", "session_id", "date", "period", "starts_at", "ends_at", "cancelled", "cancel_reason"]
        w.copy("attendance_slot", columns, slots)

        marks, moments = [], {}
        for stage, session, first_day, last_day, absent_from, trainer, noise in self.marked:
            days, ids = calendar[session.pk], slot_ids[session.pk]
            for k in range(bisect.bisect_left(days, first_day), bisect.bisect_right(days, min(last_day, today))):
                day = days[k]
                moment = moments.get(day)
                if moment is None:
                    moment = moments[day] = min(
                        timezone.make_aware(datetime.datetime.combine(day, datetime.time(17, 15))), self.now
                    )
                for slot in ids[k]:
                    h, reason = rng.random(), ""
                    if absent_from is not None and day >= absent_from:
                        status = "absent_unjustified"
                    elif h < 0.9:
                        status = "present"
                    elif h < 0.93:
                        status = "late"
                    elif h < 0.96:
                        status, reason = "absent_justified", rng.choice(["illness", "appointment", "family"])
                    elif h < 0.98 and noise:
                        status = "absent_unjustified"
                    else:
                        status = "excused"
                    marks.append((slot, stage, status, reason, 1, moment, trainer))
        first_mark = w.reserve("attendance_mark", len(marks))
        columns = ["id", "slot_id", "stage_id", "status", "reason", "version", "updated_at", "updated_by_id"]
        w.copy("attendance_mark", columns, ((first_mark + k, *row) for k, row in enumerate(marks)))


TRACK_PROGRAMMES = sorted({TRACKS[track][3] for track in TRACKS})


def stage_start(tables, stage_pk):
    row = tables["stage"].rows[stage_pk - tables["stage"].first]
    return row[4] or row[2]


def background_exists(region) -> bool:
    return Organisation.objects.filter(region=region, name__endswith=MARKER).exists()


def seed_background(*, region, today, password, domain, people=PEOPLE, stdout=None) -> BackgroundPopulation | None:
    """Build the background population unless it is there already (the demo is idempotent). Runs inside the
    caller's transaction."""
    if people <= 0 or background_exists(region):
        return None
    generator = BackgroundPopulation(
        region=region, people=people, today=today, password=password, domain=domain, stdout=stdout
    )
    generator.run()
    return generator
