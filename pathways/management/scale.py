"""The regional data generator behind `manage.py generate_scale`: a fictional region of N people on PostgreSQL.

Shape (scaled from `seed_demo`'s fan-out): 12 employment basins of unequal size; organisations of every kind
(training bodies and prescribers in proportion to the people, a few funders, one support structure per basin), their
size following a Zipf law so that the largest training bodies and prescribers follow thousands of people; staff of
each role in proportion to their caseload (a trainer for about 18 people in training, an adviser for about 130 open
pathways), a few deactivated members; training actions funded mostly by the Région (its scheme organisation), the
State for Promo 16-18 and the OPCOs for apprenticeships; sessions every few weeks over two years, with their
trainers and their calendar of half-day slots; one pathway per person, chained from an orientation or a
pre-qualification to a qualifying training, an apprenticeship or a job; every stage status; ruptures of every kind
with their causes and their alert (new, acknowledged, acted upon, escalated); pre-entry checklists with their
answers and submission, some at risk (alerting the prescriber), some refused for sharing; about 100 attendance marks
per person who started a session (10 million for 100,000 people); the charter signed through the real services
(`charter.demo`).

Everything is drawn from one `random.Random(seed)` in a fixed order, and the dates are counted from `today`: the same
seed, size and day give the same rows (names, dates, statuses, links). Rows are written by COPY with explicit ids
(reserved on each table's sequence); the slots and marks are computed by PostgreSQL itself (`INSERT … SELECT`), the
marks' indexes and the loaded tables' foreign keys dropped during the load and rebuilt after it, inside the one
transaction of the run.

This module lives under `management/` (like `seed_demo`): it writes the rows of upper apps (attendance, ruptures,
alerts, checklists, charter), which the import-linter contracts allow to operator commands only.
"""

import datetime
import json
import math
import random
import time
from collections import Counter
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import connection
from django.utils import timezone

from charter.demo import seed_charter
from checklist.models import ChecklistItem, ChecklistTemplate
from core.calendar import _holidays
from pathways.management.commands.seed_demo import FIRST_NAMES, LAST_NAMES, ascii_slug, fake_siret, fiction_phone
from pathways.models import Basin, Commune, Membership, Organisation, Programme, Region, Session, TrainingAction
from pathways.services.people import name_key
from ruptures.models import Cause

User = get_user_model()
Role = Membership.Role
Kind = Organisation.Kind
PKind = Organisation.PrescriberKind

PASSWORD = "SansRupture2026!"
DOMAIN = "echelle.sans-rupture.test"
REGION_NAME = "Région d'essai à l'échelle (fictive)"

# The 12 basins: (name, weight in % of the people). One metropolis, mid-sized towns, rural basins.
BASINS = [
    ("Ville-Haute", 28),
    ("Port-Marin", 12),
    ("Val-d'Aubrac", 10),
    ("Montclar", 9),
    ("Saint-Aurel", 8),
    ("Les Trois-Rivières", 7),
    ("Bois-Lavaud", 6),
    ("Haute-Sauve", 5),
    ("Castelroc", 5),
    ("Pays de Brenne-Sud", 4),
    ("Lestang", 3),
    ("Plateau de Mirande", 3),
]
TOWN_PARTS = (
    "Saint-Martin Villeneuve Beaumont Fontaine Montfort Roche Bourg Sainte-Croix Val Mesnil Champagne Chaumont "
    "Lagarde Belleville Vernon Aubigny Montagnac Castelnau Lavergne Rivesaltes"
).split()
TOWN_SUFFIXES = ["", "-sur-Sauve", "-le-Haut", "-la-Forêt", "-les-Bains", "-en-Brenne", "-d'Aurel", "-du-Lac"]
COMMUNES_PER_BASIN = 10

PROGRAMMES = {  # code suffix: (name, regional, max duration, max suspension)
    "hsp": ("HSP premier niveau de qualification", True, 24, 6),
    "prf": ("PRF — Programme régional de formation", True, 24, 6),
    "apprentissage": ("Contrat d'apprentissage", False, 36, 6),
    "promo-16-18": ("Promo 16-18", False, 6, 2),
}

# Training tracks: (stage kind, session length in days (min, max), weekdays mask, programme, share of actions).
PREQ, QUAL, APPR, PROMO = "preq", "qual", "appr", "promo"
TRACKS = {
    PREQ: ("pre_qualification", (60, 140), 31, "hsp", 30),
    QUAL: ("qualifying_training", (130, 220), 31, "prf", 42),
    APPR: ("apprenticeship", (330, 700), 3, "apprentissage", 18),
    PROMO: ("pre_qualification", (80, 120), 31, "promo-16-18", 10),
}
TITLES = {
    PREQ: [
        "Pré-qualification {}",
        "Savoirs de base et projet professionnel",
        "Remise à niveau et découverte des métiers",
    ],
    QUAL: ["Titre professionnel {}", "CAP {}", "Certificat de compétences {}"],
    APPR: ["CAP {} en apprentissage", "BP {} en apprentissage"],
    PROMO: ["Promo 16-18 : se remobiliser, découvrir des métiers"],
}
TRADES = [
    ("Agent·e de propreté et d'hygiène", "proprete"),
    ("Assistant·e de vie aux familles", "aide_domicile"),
    ("Agent·e magasinier·ère", "logistique"),
    ("Maçon·ne", "batiment"),
    ("Électricien·ne d'équipement du bâtiment", "batiment"),
    ("Employé·e commercial·e en magasin", "commerce"),
    ("Agent·e de restauration", "restauration"),
    ("Cuisinier·ère", "restauration"),
    ("Boulanger·ère", "boulangerie"),
    ("Accompagnant·e éducatif petite enfance", "petite_enfance"),
    ("Agent·e de service médico-social", "medico_social"),
    ("Métiers de la vigne et du vin", "vigne"),
]
SECTOR_OPCO = {
    "batiment": "Constructys",
    "boulangerie": "OPCO EP",
    "restauration": "AKTO",
    "vigne": "OCAPIAT",
    "medico_social": "OPCO Santé",
    "petite_enfance": "Uniformation",
    "aide_domicile": "Uniformation",
}
FUNDERS = [  # (name, short slug); the first one is the Région, which runs the scheme
    ("Région (collectivité régionale)", "region"),
    ("DREETS", "dreets"),
    ("Département du Nord-Ouest", "departement-no"),
    ("Département du Sud", "departement-sud"),
    ("Département de l'Est", "departement-est"),
    ("France Travail, direction régionale", "ft-dr"),
    ("Constructys", "constructys"),
    ("OPCO EP", "opco-ep"),
    ("AKTO", "akto"),
    ("OCAPIAT", "ocapiat"),
    ("OPCO Santé", "opco-sante"),
    ("Uniformation", "uniformation"),
    ("Agefiph", "agefiph"),
]
TB_BRANDS = [
    "INSUP",
    "Afpa",
    "GRETA-CFA",
    "CFA BTP",
    "MFR",
    "École de la 2e Chance",
    "Croix-Rouge Compétence",
    "Compagnons du Devoir",
    "IFRA",
    "CFA des métiers",
]
PR_CYCLE = [
    PKind.FRANCE_TRAVAIL,
    PKind.MISSION_LOCALE,
    PKind.DEPARTEMENT,
    PKind.PLIE,
    PKind.FRANCE_TRAVAIL,
    PKind.MISSION_LOCALE,
    PKind.CAP_EMPLOI,
    PKind.FRANCE_TRAVAIL,
    PKind.MISSION_LOCALE,
    PKind.DEPARTEMENT,
]
PR_LABEL = {
    PKind.FRANCE_TRAVAIL: "France Travail",
    PKind.MISSION_LOCALE: "Mission Locale",
    PKind.DEPARTEMENT: "Département, MDS de",
    PKind.PLIE: "PLIE de",
    PKind.CAP_EMPLOI: "Cap emploi",
}

PEOPLE_PER_TB = 1000  # one training body for about 1,000 people of the region
PEOPLE_PER_PRESCRIBER = 1500
PEOPLE_PER_TRAINER = 18  # people in training at once
PATHWAYS_PER_ADVISER = 130  # open pathways
PEOPLE_PER_SESSION = 13
DEACTIVATED_SHARE = 0.05  # members who left: their membership deactivated, no pathway of theirs
WINDOW_PAST, WINDOW_FUTURE = 720, 120  # sessions start from two years ago to four months ahead

SUSPENSION_REASONS = [
    "Raisons de santé : arrêt de travail.",
    "Garde d'enfant : pas de solution d'accueil pour le moment.",
    "Recherche de logement en cours.",
    "Problème de transport.",
]
ABANDON_REASON = "Perte de contact après plusieurs relances sans réponse."
NO_REMINDER = "Numéro de téléphone plus attribué, aucune adresse e-mail : relance impossible."
RUPTURE_COMMENT = {
    "abandon": "Absent·e sans nouvelles depuis plusieurs jours.",
    "interruption": "Pause convenue avec la personne ; reprise prévue.",
    "positive_exit": "A signé un contrat de travail.",
    "contract_break": "Contrat rompu ; recherche d'un nouvel employeur en cours.",
    "exclusion": "Exclusion prononcée après plusieurs manquements au règlement intérieur.",
}
CAUSES = [c.value for c in Cause]
ACTION_NOTES = {
    "called": "Personne jointe par téléphone : point prévu dans un mois.",
    "meeting": "Rendez-vous à l'agence pour chercher une solution.",
    "solution": "Solution proposée : aide à la mobilité.",
    "reorientation": "Réorientation vers une autre action.",
}
CHECKLIST_RISKS = [
    ("housing", "Hébergé·e chez un tiers jusqu'à la fin du mois.", "Orienter vers le SIAO pour un hébergement"),
    ("transport", "Pas de bus avant 8 h depuis sa commune.", "Demander une aide à la mobilité"),
    ("childcare", "Pas de solution de garde le mercredi.", "Chercher une place en accueil de loisirs"),
    ("remuneration", "Dossier de rémunération incomplet.", "Compléter le dossier de rémunération"),
]
CHECKLIST_WATCH = [
    ("digital", "Pas d'ordinateur à la maison."),
    ("budget", "Budget serré pendant la formation."),
    ("health", "Suivi médical régulier, compatible avec les horaires."),
]


def region_name(seed: int, people: int) -> str:
    """The generated region's name carries its parameters, so a later run (or benchmark) can tell whether the data
    already there is the one it wants."""
    return f"{REGION_NAME} — {people} personnes, graine {seed}"


def zipf(count: int, exponent: float = 1.0) -> list[float]:
    weights = [1 / (rank + 1) ** exponent for rank in range(count)]
    total = sum(weights)
    return [w / total for w in weights]


def weekdays(start: datetime.date, days: int) -> datetime.date:
    """`start` moved `days` days, then back to the Friday before if it falls on a weekend."""
    day = start + datetime.timedelta(days=days)
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def monday(day: datetime.date) -> datetime.date:
    return day - datetime.timedelta(days=day.weekday())


# --------------------------------------------------------------------------------------------------------------
# Low-level writing


class Writer:
    """COPY rows with explicit ids reserved on the tables' identity sequences."""

    def __init__(self):
        self.cursor = connection.cursor()
        self.counts = Counter()

    def reserve(self, table: str, count: int) -> int:
        """The first of `count` ids now reserved in `table` (the sequence is moved past them)."""
        c = self.cursor
        c.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = c.fetchone()[0]
        c.execute(f"SELECT GREATEST((SELECT COALESCE(MAX(id), 0) FROM {table}), (SELECT last_value FROM {sequence}))")
        first = c.fetchone()[0] + 1
        if count:
            c.execute("SELECT setval(%s, %s)", [sequence, first + count - 1])
        return first

    def copy(self, table: str, columns: list[str], rows) -> int:
        n = 0
        with self.cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        self.counts[table] += n
        return n


class Table:
    """Rows of one table gathered in memory with their ids, then copied at once."""

    def __init__(self, name: str, columns: list[str]):
        self.name, self.columns, self.rows = name, ["id", *columns], []
        self.first = None

    def add(self, *values) -> int:
        pk = self.first + len(self.rows)
        self.rows.append((pk, *values))
        return pk


# --------------------------------------------------------------------------------------------------------------
# Plan of the region


@dataclass
class Org:
    pk: int
    name: str
    kind: str
    basin: int
    weight: float
    prescriber_kind: str = ""
    staff: dict = field(default_factory=dict)  # role -> [user ids] (active members)
    actions: list = field(default_factory=list)


@dataclass
class Action:
    pk: int
    body: Org
    track: str
    sector: str
    programme_id: int
    funder_id: int
    sessions: dict = field(default_factory=dict)  # period -> [SessionPlan]


@dataclass
class SessionPlan:
    pk: int
    action: Action
    start: datetime.date
    end: datetime.date
    trainer: int
    enrolled: int = 0


class Generator:
    # Tunables a subclass may change (the demo's background population does: smaller caseloads, 18 months).
    people_per_trainer = PEOPLE_PER_TRAINER
    pathways_per_adviser = PATHWAYS_PER_ADVISER
    people_per_action = 600  # a training body runs an action for about 600 of its people (25 at most)
    window_past, window_future = WINDOW_PAST, WINDOW_FUTURE

    def __init__(
        self, *, people: int, seed: int, region_code: str, today: datetime.date, stdout=None, password: str = ""
    ):
        self.people, self.seed, self.code, self.today = people, seed, region_code, today
        self.rng = random.Random(seed)
        self.stdout = stdout
        self.writer = Writer()
        self.timings = {}
        self.password = password or make_password(PASSWORD)  # hashed once: every generated account shares it
        self.domain = f"r{region_code.lower()}.{DOMAIN}"

    def say(self, text):
        if self.stdout is not None:
            self.stdout.write(text)

    def step(self, label, function):
        started = time.monotonic()
        function()
        self.timings[label] = time.monotonic() - started
        self.say(f"  {label}: {self.timings[label]:.1f} s")

    def moment(self, day: datetime.date, minutes: int = 0) -> datetime.datetime:
        """An aware moment of `day` in working hours (Europe/Paris), never after now."""
        naive = datetime.datetime.combine(day, datetime.time(9, 0)) + datetime.timedelta(minutes=minutes % 480)
        return min(timezone.make_aware(naive), self.now)

    def run(self):
        self.now = timezone.now()
        self.step("territoire, structures, comptes", self.build_reference)
        self.step("offre de formation", self.build_offer)
        # The bulk-loaded tables' foreign keys are dropped during the load and added back after it: each is then
        # checked once by one join, instead of one deferred check per row (millions of them, run at the first SET
        # CONSTRAINTS ALL IMMEDIATE or at the commit).
        keys = dropped_foreign_keys(self.writer.cursor, LOADED_TABLES)
        self.step("clés étrangères retirées", keys.drop)
        self.step("personnes, parcours, étapes, ruptures, alertes, check-lists", self.build_people)
        self.step("calendriers des sessions", self.build_slots)
        self.step("émargements", self.build_marks)
        # The planner's statistics before the charter: its services query the freshly loaded tables, whose
        # statistics would otherwise say they are empty (nested loops over 100,000 people).
        self.step("statistiques du planificateur", self.analyze)
        self.step("clés étrangères vérifiées et remises", keys.restore)
        self.step("charte", self.build_charter)

    # Territory, organisations, staff ------------------------------------------------------------------------

    def build_reference(self):
        rng = self.rng
        self.region = Region.objects.create(code=self.code, name=region_name(self.seed, self.people))
        self.basins = Basin.objects.bulk_create(
            [
                Basin(region=self.region, code=f"{self.code}{i + 1:02d}", name=name)
                for i, (name, _w) in enumerate(BASINS)
            ]
        )
        self.basin_weights = [w for _n, w in BASINS]
        communes = []
        for b, basin in enumerate(self.basins):
            names = [BASINS[b][0]] + [
                f"{rng.choice(TOWN_PARTS)}{rng.choice(TOWN_SUFFIXES)}" for _i in range(COMMUNES_PER_BASIN - 1)
            ]
            for c, name in enumerate(names):
                communes.append(
                    Commune(code=f"{self.code}{b * 20 + c:03d}"[-5:], name=name, department=self.code, basin=basin)
                )
        self.communes = Commune.objects.bulk_create(communes)
        self.communes_of = [[c for c in self.communes if c.basin_id == basin.pk] for basin in self.basins]
        programmes = {}
        for code, (name, regional, duration, suspension) in PROGRAMMES.items():
            full = f"{code}-r{self.code.lower()}" if regional else code
            programme, _created = Programme.objects.get_or_create(
                code=full,
                defaults={
                    "name": name,
                    "region": self.region if regional else None,
                    "max_duration_months": duration,
                    "max_suspension_months": suspension,
                },
            )
            programmes[code] = programme.pk
        self.programmes = programmes
        self.build_organisations()
        self.build_staff()
        self.build_employers()

    def build_organisations(self):
        rng, n = self.rng, self.people
        specs = []  # (name, slug, kind, prescriber kind, basin index, weight within kind)
        for b, (basin_name, weight) in enumerate(BASINS):
            count = max(1, round(n / PEOPLE_PER_TB * weight / 100))
            for rank, share in enumerate(zipf(count)):
                brand = TB_BRANDS[(rank + b) % len(TB_BRANDS)]
                name = f"{brand} {basin_name}" + (f" {rank // len(TB_BRANDS) + 1}" if rank >= len(TB_BRANDS) else "")
                specs.append((name, Kind.TRAINING_BODY, "", b, weight * share))
            count = max(2, round(n / PEOPLE_PER_PRESCRIBER * weight / 100))
            kinds = [PR_CYCLE[i % len(PR_CYCLE)] for i in range(count)]
            for rank, (pkind, share) in enumerate(zip(kinds, zipf(count), strict=True)):
                same = kinds[:rank].count(pkind)
                name = f"{PR_LABEL[pkind]} {basin_name}" + (f" {same + 1}" if same else "")
                specs.append((name, Kind.PRESCRIBER, pkind, b, weight * share))
            specs.append((f"Écoute et Parcours {basin_name}", Kind.SUPPORT, "", b, 1))
        for name, _slug in FUNDERS:
            specs.append((name, Kind.FUNDER, "", 0, 1))
        objects = []
        for name, kind, pkind, b, _w in specs:
            objects.append(
                Organisation(
                    name=name,
                    kind=kind,
                    prescriber_kind=pkind,
                    siret=fake_siret(f"scale:{self.code}:{name}"),
                    region=self.region,
                    address=self.communes_of[b][0].name,
                    phone=fiction_phone(len(objects) * 37 + 11, "053649"),
                    alert_inbox_email=f"alertes@{ascii_slug(name)}.{self.domain}"
                    if kind == Kind.PRESCRIBER and rng.random() < 0.6
                    else "",
                )
            )
        created = Organisation.objects.bulk_create(objects)
        self.orgs = [
            Org(pk=o.pk, name=o.name, kind=o.kind, basin=spec[3], weight=spec[4], prescriber_kind=spec[2])
            for o, spec in zip(created, specs, strict=True)
        ]
        links = []
        for org in self.orgs:
            served = range(len(self.basins)) if org.kind == Kind.FUNDER else [org.basin]
            links += [Organisation.basins.through(organisation_id=org.pk, basin_id=self.basins[b].pk) for b in served]
        Organisation.basins.through.objects.bulk_create(links)
        self.funders = {o.name: o for o in self.orgs if o.kind == Kind.FUNDER}
        self.regional_funder = self.funders[FUNDERS[0][0]]
        Region.objects.filter(pk=self.region.pk).update(scheme_organisation=self.regional_funder.pk)
        self.region.scheme_organisation_id = self.regional_funder.pk
        self.bodies = [o for o in self.orgs if o.kind == Kind.TRAINING_BODY]
        self.prescribers = [o for o in self.orgs if o.kind == Kind.PRESCRIBER]

    def build_staff(self):
        """Accounts of each role in proportion to the organisation's caseload; the first manager is the legal
        representative; a few deactivated members per organisation."""
        rng, n = self.rng, self.people
        total_tb = sum(o.weight for o in self.bodies)
        total_pr = sum(o.weight for o in self.prescribers)
        wanted = []  # (org, role, basin index or None, active)
        for org in self.orgs:
            if org.kind == Kind.TRAINING_BODY:
                people = n * 1.1 * org.weight / total_tb
                trainers = max(2, round(people * 0.4 / self.people_per_trainer))
                roles = [(Role.TRAINER, trainers), (Role.PEDAGOGICAL_MANAGER, max(1, trainers // 8))]
                roles += [(Role.ORG_MANAGER, 1 + (trainers > 20)), (Role.DPO, 1)]
            elif org.kind == Kind.PRESCRIBER:
                open_pathways = n * 0.75 * org.weight / total_pr
                advisers = max(2, round(open_pathways / self.pathways_per_adviser))
                roles = [(Role.PRESCRIBER_ADVISER, advisers), (Role.ORG_MANAGER, 1 + (advisers > 20)), (Role.DPO, 1)]
            elif org.kind == Kind.SUPPORT:
                roles = [(Role.FACILITATOR, 2), (Role.ORG_MANAGER, 1), (Role.DPO, 1)]
            else:
                officers = len(self.basins) if org is self.regional_funder else 2
                roles = [(Role.REGIONAL_OFFICER, officers), (Role.ORG_MANAGER, 1), (Role.DPO, 1)]
            for role, count in roles:
                wanted += [(org, role, None, True)] * count
                if role in (Role.TRAINER, Role.PRESCRIBER_ADVISER):
                    wanted += [(org, role, None, False)] * max(1, round(count * DEACTIVATED_SHARE))
            if org is self.regional_funder:
                wanted += [(org, Role.BASIN_COORDINATOR, b, True) for b in range(len(self.basins))]
        local = {
            Role.TRAINER: "formateur",
            Role.PEDAGOGICAL_MANAGER: "resp-pedagogique",
            Role.ORG_MANAGER: "direction",
            Role.DPO: "dpo",
            Role.PRESCRIBER_ADVISER: "conseiller",
            Role.FACILITATOR: "intervenant",
            Role.REGIONAL_OFFICER: "charge-de-mission",
            Role.BASIN_COORDINATOR: "coordination-bassin",
        }
        numbers = Counter()
        users = []
        joined = timezone.make_aware(
            datetime.datetime.combine(self.today - datetime.timedelta(days=800), datetime.time(9))
        )
        for org, role, _b, _active in wanted:
            numbers[(org.pk, role)] += 1
            email = f"{local[role]}{numbers[(org.pk, role)]}@{ascii_slug(org.name)}.{self.domain}"
            users.append(
                User(
                    email=email,
                    first_name=rng.choice(FIRST_NAMES),
                    last_name=rng.choice(LAST_NAMES),
                    password=self.password,
                    language="fr",
                    date_joined=joined,
                )
            )
        users = User.objects.bulk_create(users, batch_size=2000)
        memberships = []
        seen_manager = set()
        left = timezone.make_aware(
            datetime.datetime.combine(self.today - datetime.timedelta(days=60), datetime.time(9))
        )
        for user, (org, role, b, active) in zip(users, wanted, strict=True):
            legal = role == Role.ORG_MANAGER and org.pk not in seen_manager
            if legal:
                seen_manager.add(org.pk)
            memberships.append(
                Membership(
                    user_id=user.pk,
                    organisation_id=org.pk,
                    role=role,
                    is_legal_representative=legal,
                    basin_id=self.basins[b].pk if b is not None else None,
                    is_active=active,
                    deactivated_at=None if active else left,
                )
            )
            if active:
                org.staff.setdefault(role, []).append(user.pk)
        Membership.objects.bulk_create(memberships, batch_size=2000)
        self.writer.counts["accounts_user"] += len(users)
        self.writer.counts["pathways_membership"] += len(memberships)
        self.user_names = {u.pk: f"{u.first_name} {u.last_name}" for u in users}

    def build_employers(self):
        from pathways.models import Employer

        rng = self.rng
        count = max(24, self.people // 150)
        sectors = sorted({sector for _t, sector in TRADES})
        employers = []
        for i in range(count):
            b = rng.choices(range(len(self.basins)), self.basin_weights)[0]
            sector = sectors[i % len(sectors)]
            name = f"{rng.choice(LAST_NAMES)} {sector.replace('_', ' ').title()} {i + 1}"
            employers.append(
                Employer(
                    name=name,
                    siret=fake_siret(f"scale-employer:{self.code}:{i}"),
                    region=self.region,
                    commune=rng.choice(self.communes_of[b]),
                    contact_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    contact_email=f"contact{i + 1}@example.org",
                )
            )
        created = Employer.objects.bulk_create(employers)
        self.employers_of = {}
        for employer, i in zip(created, range(count), strict=True):
            self.employers_of.setdefault(sectors[i % len(sectors)], []).append(employer.pk)
        self.all_employers = [e.pk for e in created]

    # Training offer ------------------------------------------------------------------------------------------

    def build_offer(self):
        rng, n = self.rng, self.people
        total_tb = sum(o.weight for o in self.bodies)
        opco = {name: self.funders[name].pk for name in set(SECTOR_OPCO.values())}
        actions = []
        for body in self.bodies:
            people = n * body.weight / total_tb
            count = min(25, max(1, math.ceil(people / self.people_per_action)))
            for index in range(count):
                track = self.draw_track(body, index)
                trade, sector = rng.choice(TRADES)
                title = rng.choice(TITLES[track]).format(trade)
                programme = TRACKS[track][3]
                if track == APPR:
                    funder = opco.get(SECTOR_OPCO.get(sector, ""), self.funders["OPCO EP"].pk)
                elif track == PROMO:
                    funder = self.funders["DREETS"].pk
                else:
                    funder = self.regional_funder.pk if rng.random() < 0.9 else self.funders["Agefiph"].pk
                actions.append(
                    (
                        TrainingAction(
                            training_body_id=body.pk,
                            title=title[:200],
                            basin_id=self.basins[body.basin].pk,
                            programme_id=self.programmes[programme],
                            funder_id=funder,
                        ),
                        body,
                        track,
                        sector,
                        people / count,
                    )
                )
        created = TrainingAction.objects.bulk_create([a for a, *_rest in actions])
        sessions = []
        self.actions = []
        for obj, (_a, body, track, sector, people) in zip(created, actions, strict=True):
            action = Action(obj.pk, body, track, sector, obj.programme_id, obj.funder_id)
            body.actions.append(action)
            self.actions.append(action)
            runs = max(3, math.ceil(people * 1.1 / PEOPLE_PER_SESSION))
            low, high = TRACKS[track][1]
            span = self.window_past + self.window_future
            for r in range(runs):
                start = monday(
                    self.today + datetime.timedelta(days=-self.window_past + span * r // runs + rng.randint(0, 6))
                )
                end = weekdays(start, rng.randint(low, high))
                trainers = body.staff.get(Role.TRAINER) or body.staff[Role.ORG_MANAGER]
                plan = SessionPlan(0, action, start, end, trainers[(len(sessions) + r) % len(trainers)])
                sessions.append(
                    (
                        Session(
                            training_action_id=obj.pk,
                            label=f"{'Rentrée' if track == APPR else 'Promotion'} {start:%m/%Y}",
                            start_date=start,
                            end_date=end,
                            capacity=rng.randint(12, 18),
                            weekdays=TRACKS[track][2],
                        ),
                        plan,
                    )
                )
        created_sessions = Session.objects.bulk_create([s for s, _p in sessions], batch_size=5000)
        self.sessions = []
        for obj, (_s, plan) in zip(created_sessions, sessions, strict=True):
            plan.pk = obj.pk
            plan.capacity = obj.capacity
            period = "past" if plan.end < self.today else ("upcoming" if plan.start > self.today else "current")
            plan.action.sessions.setdefault(period, []).append(plan)
            self.sessions.append(plan)
        Session.trainers.through.objects.bulk_create(
            [Session.trainers.through(session_id=p.pk, user_id=p.trainer) for p in self.sessions], batch_size=5000
        )
        self.writer.counts["pathways_trainingaction"] += len(created)
        self.writer.counts["pathways_session"] += len(created_sessions)

    def draw_track(self, body: Org, index: int) -> str:
        """The track of a training body's `index`-th action: drawn by the tracks' shares."""
        tracks = list(TRACKS)
        return self.rng.choices(tracks, [TRACKS[t][4] for t in tracks])[0]

    # People ---------------------------------------------------------------------------------------------------

    def build_people(self):
        w = self.writer
        n = self.people
        t = self.tables = {
            "beneficiary": Table(
                "pathways_beneficiary",
                ["first_name", "last_name", "birth_date", "email", "phone", "name_key", "created_at"]
                + ["created_by_id", "commune_id", "region_id"],
            ),
            "pathway": Table(
                "pathways_pathway",
                ["status", "opened_at", "closed_at", "closure_reason", "beneficiary_id", "created_by_id"]
                + ["opened_by_id", "prescribing_adviser_id", "prescribing_organisation_id", "referent_id"],
            ),
            "stage": Table(
                "pathways_stage",
                ["kind", "planned_start", "planned_end", "actual_start", "actual_end", "status", "exit_destination"]
                + ["suspended_since", "planned_resume", "created_at", "created_by_id", "employer_id"]
                + ["organisation_id", "pathway_id", "programme_id"],
            ),
            "transition": Table(
                "pathways_stagetransition",
                ["action", "from_status", "to_status", "effective_date", "reason", "planned_resume", "at", "by_id"]
                + ["stage_id"],
            ),
            "enrolment": Table("pathways_enrolment", ["created_at", "created_by_id", "session_id", "stage_id"]),
            "alert": Table(
                "ruptures_alert",
                ["status", "created_at", "acknowledged_at", "escalated_at", "acknowledged_by_id", "inbox_id", "kind"]
                + ["stage_id", "raised_by_id", "topic"],
            ),
            "rupture": Table(
                "ruptures_rupture",
                ["kind", "occurred_on", "last_presence", "main_cause", "identified_by", "contract_initiative"]
                + ["during_trial_period", "planned_resume", "exit_destination", "comment", "no_reminder_reason"]
                + ["declared_at", "declared_by_id", "declaring_organisation_id", "drift_id", "stage_id", "alert_id"],
            ),
            "cause": Table("ruptures_rupturecause", ["cause", "family", "rupture_id"]),
            "action": Table("ruptures_alertaction", ["kind", "note", "at", "alert_id", "by_id"]),
            "checklist": Table(
                "checklist_checklist",
                ["status", "created_at", "updated_at", "consent", "consent_scope", "consent_on"]
                + ["consent_recorded_by_id", "created_by_id", "organisation_id", "stage_id", "template_id"],
            ),
            "answer": Table(
                "checklist_checklistanswer",
                ["answer", "comment", "action", "action_due", "updated_at", "action_owner_id", "checklist_id"]
                + ["updated_by_id", "item_id"],
            ),
            "revision": Table(
                "checklist_checklistrevision",
                ["number", "submitted_at", "answers", "risk_items", "new_risk_items", "checklist_id"]
                + ["submitted_by_id", "alert_id"],
            ),
        }
        # Upper bounds of the rows per person, to reserve the ids at once.
        bounds = {
            "beneficiary": n,
            "pathway": n,
            "stage": 5 * n,
            "transition": 15 * n,
            "enrolment": 3 * n,
            "alert": 2 * n,
            "rupture": 2 * n,
            "cause": 6 * n,
            "action": 2 * n,
            "checklist": 3 * n,
            "answer": 50 * n,
            "revision": 3 * n,
        }
        for key, table in t.items():
            table.first = w.reserve(table.name, bounds[key])
        self.mark_plan = []  # (ordinal, stage id, session id, first day, last day, absent from, trainer)
        self.prepare_checklists()
        self.person_ages = []
        for i in range(n):
            self.person(i)
        for table in t.values():
            w.copy(table.name, table.columns, table.rows)
            table.rows = []  # free the memory
        self.fit_capacities()

    def fit_capacities(self):
        """Sessions hold everybody enrolled in them (the capacity is a plan, not a database rule)."""
        with connection.cursor() as c:
            c.execute(
                "UPDATE pathways_session s SET capacity = GREATEST(s.capacity, e.n) FROM "
                "(SELECT session_id, COUNT(*) n FROM pathways_enrolment WHERE session_id = ANY(%s) GROUP BY 1) e "
                "WHERE e.session_id = s.id",
                [[p.pk for p in self.sessions]],
            )

    def prepare_checklists(self):
        template = ChecklistTemplate.objects.current()
        self.checklist_template = template
        self.checklist_items = (
            list(
                ChecklistItem.objects.filter(section__template=template)
                .select_related("section")
                .order_by("section__position", "position")
            )
            if template
            else []
        )

    def pick_session(self, action: Action, period: str):
        """A session of `action` in `period` (falling back to another period), with its period."""
        for candidate in (period, "current", "past", "upcoming"):
            runs = action.sessions.get(candidate)
            if runs:
                return self.rng.choice(runs), candidate
        raise RuntimeError("an action without sessions")

    def pick_body(self, basin: int | None = None) -> Org:
        bodies = self.bodies if basin is None else [o for o in self.bodies if o.basin == basin] or self.bodies
        return self.rng.choices(bodies, [o.weight for o in bodies])[0]

    def pick_prescriber(self, basin: int, age: int) -> Org:
        rng = self.rng
        if age <= 25:
            kinds = rng.choices([PKind.MISSION_LOCALE, PKind.FRANCE_TRAVAIL, PKind.CAP_EMPLOI], [70, 25, 5])
        else:
            kinds = rng.choices(
                [PKind.FRANCE_TRAVAIL, PKind.PLIE, PKind.DEPARTEMENT, PKind.CAP_EMPLOI], [55, 15, 22, 8]
            )
        pool = [o for o in self.prescribers if o.basin == basin and o.prescriber_kind in kinds]
        pool = pool or [o for o in self.prescribers if o.basin == basin] or self.prescribers
        return rng.choices(pool, [o.weight for o in pool])[0]

    def identity(self, i: int) -> tuple[str, str, str, str]:
        """A fictitious person's first and last names, e-mail and phone (some have none)."""
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        if rng.random() < 0.15:
            last = f"{last}-{rng.choice(LAST_NAMES)}"
        email = f"{ascii_slug(first)}.{ascii_slug(last)}{i % 1000}@example.org" if rng.random() < 0.8 else ""
        phone = fiction_phone(rng.randrange(10000), "063998") if rng.random() < 0.85 else ""
        return first, last, email, phone

    def open_pathway(
        self, i, identity, birth, commune, opened_on, manager, opened_by, prescriber, adviser, referent, oriented
    ) -> dict:
        """The person's row and their open pathway, with a first orientation stage by the prescriber when
        `oriented`; returns the context the stages are added with (`row`: the pathway's row, to close it later)."""
        t, today = self.tables, self.today
        first, last, email, phone = identity
        ben = t["beneficiary"].add(
            first,
            last,
            birth,
            email,
            phone,
            name_key(first, last),
            self.moment(opened_on, i),
            manager,
            commune.pk,
            self.region.pk,
        )
        row = len(t["pathway"].rows)
        pathway = t["pathway"].add(
            "open",
            self.moment(opened_on, i),
            None,
            "",
            ben,
            manager,
            opened_by.pk,
            adviser,
            prescriber.pk if prescriber else None,
            referent,
        )
        ctx = {"pathway": pathway, "manager": manager, "i": i, "row": row}
        if oriented:
            day = weekdays(opened_on, 2)
            end = weekdays(day, 30)
            if end <= today:
                self.stage(ctx, "orientation", prescriber, None, None, day, end, day, end, "completed")
            elif day <= today:
                self.stage(ctx, "orientation", prescriber, None, None, day, end, day, None, "in_progress")
        return ctx

    def person(self, i: int):
        rng, t, today = self.rng, self.tables, self.today
        body = self.pick_body(rng.choices(range(len(self.basins)), self.basin_weights)[0])
        action = rng.choice(body.actions)
        period = rng.choices(["past", "current", "upcoming"], [30, 48, 22])[0]
        session, period = self.pick_session(action, period)
        track = action.track
        young = track in (APPR, PROMO) or rng.random() < 0.45
        age = rng.randint(16, 17) if track == PROMO else rng.randint(16, 25) if young else rng.randint(26, 58)
        birth = today - datetime.timedelta(days=365 * age + rng.randint(30, 360))
        home = body.basin if rng.random() < 0.88 else rng.choices(range(len(self.basins)), self.basin_weights)[0]
        commune = rng.choice(self.communes_of[home])
        identity = self.identity(i)

        direct = track == APPR and rng.random() < 0.7  # a CFA enrols the apprentice itself
        trainers = body.staff.get(Role.TRAINER) or body.staff[Role.ORG_MANAGER]
        trainer = session.trainer
        managers = body.staff.get(Role.PEDAGOGICAL_MANAGER) or trainers
        if direct:
            prescriber, adviser = None, None
            referent = rng.choice(managers) if rng.random() < 0.5 else trainer
            opened_by, manager = body, rng.choice(managers)
        else:
            prescriber = self.pick_prescriber(home, age)
            adviser = rng.choice(prescriber.staff[Role.PRESCRIBER_ADVISER])
            referent = adviser
            if rng.random() < 0.15:
                referent = trainer if rng.random() < 0.7 else rng.choice(managers)
            opened_by, manager = prescriber, adviser

        start = session.start
        opened_on = start - datetime.timedelta(days=rng.randint(15, 60))
        chained_preq = None
        if track == QUAL and rng.random() < 0.25:  # a pre-qualification first, at the same body when it has one
            preq_actions = [a for a in body.actions if a.track == PREQ]
            if preq_actions:
                candidates = [s for s in rng.choice(preq_actions).sessions.get("past", []) if s.end < start]
                if candidates:
                    chained_preq = max(candidates, key=lambda s: s.end)
                    opened_on = chained_preq.start - datetime.timedelta(days=rng.randint(15, 45))
        oriented = not direct and chained_preq is None and rng.random() < 0.3
        if oriented:
            opened_on -= datetime.timedelta(days=35)
        opened_on = min(opened_on, today)

        ctx = self.open_pathway(
            i, identity, birth, commune, opened_on, manager, opened_by, prescriber, adviser, referent, oriented
        )
        pathway_row = ctx["row"]
        if chained_preq is not None:
            self.stage(
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
        employer = None
        if track == APPR:
            employer = rng.choice(self.employers_of.get(action.sector) or self.all_employers)

        # The main stage and its fate, by the period of its session.
        draw = rng.random()
        end_day = None
        closed = None
        if period == "upcoming":
            if draw < 0.08:
                status, actual_start, actual_end = "cancelled", None, weekdays(today, -rng.randint(1, 20))
                closed = ("Déménagement hors de la région.", actual_end) if rng.random() < 0.5 else None
            else:
                status, actual_start, actual_end = "planned", None, None
        else:
            last_day = session.end if period == "past" else today
            span = max(0, (last_day - start).days)
            actual_start = start
            if draw < 0.09:
                status = "abandoned"
                actual_end = weekdays(start, rng.randint(min(span, 10), max(min(span, 10), span)))
            elif draw < 0.14:
                status = "positive_exit"
                actual_end = weekdays(start, rng.randint(min(span, 20), max(min(span, 20), span)))
            elif draw < 0.19 and period == "current":
                status, actual_end = "suspended", None
            elif draw < 0.21:
                status = "exclusion"
                actual_end = weekdays(start, rng.randint(min(span, 15), max(min(span, 15), span)))
            else:
                status = "completed" if period == "past" else "in_progress"
                actual_end = session.end if period == "past" else None
            if actual_end is not None:
                actual_end = max(actual_end, actual_start)
                if actual_end > today:
                    actual_end = None
                    status = "in_progress"
        db_status = "abandoned" if status == "exclusion" else status
        suspended_since = resume = None
        if status == "suspended":
            suspended_since = weekdays(today, -rng.randint(3, 40))
            suspended_since = max(suspended_since, start)
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
        end_day = actual_end

        # Attendance: the half-days from the start to the end, today or the suspension; an abandon is preceded by a
        # run of unjustified absences.
        if actual_start is not None and actual_start <= today:
            last = actual_end or (suspended_since - datetime.timedelta(days=1) if suspended_since else today)
            absent_from = None
            if status in ("abandoned", "exclusion"):
                absent_from = last - datetime.timedelta(days=rng.randint(5, 12))
            if last >= actual_start:
                self.mark_plan.append(
                    (stage - t["stage"].first, stage, session.pk, actual_start, last, absent_from, trainer)
                )

        # A checklist before the start, for most stages that started or start within a month.
        if self.checklist_items and (actual_start is not None or start <= today + datetime.timedelta(days=30)):
            if rng.random() < 0.82:
                self.checklist(ctx, stage, body, trainer, start, prescriber, adviser, referent)

        # Ruptures and their alerts.
        kinds = {
            "abandoned": "abandon",
            "exclusion": "exclusion",
            "positive_exit": "positive_exit",
            "suspended": "interruption",
        }
        if status in kinds:
            kind = kinds[status]
            if track == APPR and kind == "abandon":
                kind = "contract_break"
            occurred = end_day or suspended_since
            self.rupture(ctx, stage, kind, occurred, trainer, body, prescriber, adviser, referent, resume)

        # What follows: a job after a positive exit or a completion; a re-orientation after an abandon; closures.
        if status == "positive_exit" or (status == "completed" and rng.random() < 0.35):
            hired = weekdays(end_day, rng.randint(1, 20))
            if hired <= today:
                job_employer = rng.choice(self.employers_of.get(action.sector) or self.all_employers)
                organisation = prescriber or body
                self.stage(
                    ctx,
                    "employment",
                    organisation,
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
            closed = ("Parcours terminé : formation achevée.", weekdays(end_day, rng.randint(5, 30)))
        elif status in ("abandoned", "exclusion"):
            if prescriber is not None and rng.random() < 0.5:
                day = weekdays(end_day, rng.randint(3, 10))
                if day <= today:
                    self.stage(
                        ctx, "orientation", prescriber, None, None, day, weekdays(day, 30), day, None, "in_progress"
                    )
            elif rng.random() < 0.6:
                closed = ("Sans nouvelles malgré les relances du prescripteur.", weekdays(end_day, rng.randint(20, 60)))
        if closed is not None and closed[1] <= today:
            reason, on = closed
            row = list(t["pathway"].rows[pathway_row])
            row[1], row[3], row[4] = "closed", self.moment(on, i + 7), reason
            t["pathway"].rows[pathway_row] = tuple(row)

    def stage(
        self,
        ctx,
        kind,
        organisation,
        action,
        session,
        planned_start,
        planned_end,
        actual_start,
        actual_end,
        status,
        *,
        employer=None,
        destination="",
        suspended=(None, None),
        trainer=None,
    ) -> int:
        t, rng = self.tables, self.rng
        by = ctx["manager"]
        staff = trainer or by
        planned_on = min(planned_start - datetime.timedelta(days=rng.randint(3, 20)), self.today)
        if kind in ("apprenticeship", "immersion", "employment") and employer is None:
            employer = rng.choice(self.all_employers)
        since, resume = suspended
        pk = t["stage"].add(
            kind,
            planned_start,
            planned_end,
            actual_start,
            actual_end,
            status,
            destination,
            since,
            resume,
            self.moment(planned_on, ctx["i"]),
            by,
            employer,
            organisation.pk,
            ctx["pathway"],
            action.programme_id if action else None,
        )
        add = t["transition"].add
        add("plan", "", "planned", planned_on, "", None, self.moment(planned_on, ctx["i"]), by, pk)
        if session is not None:
            t["enrolment"].add(self.moment(planned_on, ctx["i"]), by, session.pk, pk)
        if actual_start is not None:
            add("start", "planned", "in_progress", actual_start, "", None, self.moment(actual_start, 30), staff, pk)
        if status == "suspended":
            reason = rng.choice(SUSPENSION_REASONS)
            add("suspend", "in_progress", "suspended", since, reason, resume, self.moment(since, 60), staff, pk)
        if actual_end is not None:
            before = "in_progress" if actual_start is not None else "planned"
            reason = ABANDON_REASON if status == "abandoned" else ""
            add("exit", before, status, actual_end, reason, None, self.moment(actual_end, 400), staff, pk)
        return pk

    def rupture(self, ctx, stage, kind, occurred, trainer, body, prescriber, adviser, referent, resume):
        t, rng, today = self.tables, self.rng, self.today
        declared = self.moment(weekdays(min(occurred + datetime.timedelta(days=rng.randint(0, 3)), today), 0), 90)
        inbox = prescriber or body
        age = (today - occurred).days
        status, acknowledged, acknowledged_by, escalated = "new", None, None, None
        reader = adviser or rng.choice(body.staff.get(Role.PEDAGOGICAL_MANAGER) or body.staff[Role.ORG_MANAGER])
        draw = rng.random()
        if age > 3 and draw < 0.85 or age > 30:
            status = "acted" if draw < 0.55 else "acknowledged"
            acknowledged = min(declared + datetime.timedelta(hours=rng.randint(2, 96)), self.now)
            acknowledged_by = reader
        elif age > 4:
            escalated = min(declared + datetime.timedelta(days=4), self.now)
        alert = t["alert"].add(
            status, declared, acknowledged, escalated, acknowledged_by, inbox.pk, "rupture", stage, trainer, kind
        )
        if status == "acted":
            action = rng.choice(list(ACTION_NOTES))
            t["action"].add(action, ACTION_NOTES[action], acknowledged, alert, reader)
        main = rng.choice(CAUSES)
        others = [c for c in rng.sample(CAUSES, rng.randint(0, 2)) if c != main]
        contract = kind == "contract_break"
        rupture = t["rupture"].add(
            kind,
            occurred,
            max(occurred - datetime.timedelta(days=rng.randint(1, 12)), occurred - datetime.timedelta(days=30))
            if kind in ("abandon", "exclusion", "contract_break")
            else None,
            main,
            rng.choice(["trainer", "trainer", "trainer", "prescriber", "person"]),
            rng.choice(["employer", "apprentice", "mutual"]) if contract else "",
            rng.random() < 0.4 if contract else None,
            resume if kind == "interruption" else None,
            "job" if kind == "positive_exit" else "",
            RUPTURE_COMMENT[kind],
            NO_REMINDER if kind == "abandon" else "",
            declared,
            trainer,
            body.pk,
            None,
            stage,
            alert,
        )
        for cause in [main, *others]:
            t["cause"].add(cause, Cause.family_of(cause), rupture)

    def checklist(self, ctx, stage, body, by, start, prescriber, adviser, referent):
        t, rng, today = self.tables, self.rng, self.today
        draw = rng.random()
        made = min(start - datetime.timedelta(days=rng.randint(4, 15)), today)
        upcoming = start > today
        in_progress = upcoming and draw < 0.3
        risky = CHECKLIST_RISKS[rng.randrange(len(CHECKLIST_RISKS))] if draw > 0.86 else None
        watched = CHECKLIST_WATCH[rng.randrange(len(CHECKLIST_WATCH))] if 0.6 < draw <= 0.86 else None
        shared = rng.random() < 0.93  # some people refuse that the checklist be shared
        created = self.moment(made, ctx["i"])
        consent = (None, "", None, None) if in_progress else (shared, "both" if shared else "", made, by)
        pk = t["checklist"].add(
            "draft" if in_progress else "submitted",
            created,
            created,
            *consent,
            by,
            body.pk,
            stage,
            self.checklist_template.pk,
        )
        due = max(today, start) + datetime.timedelta(days=7)
        snapshot = {}
        for item in self.checklist_items:
            answer, comment, action = "ok", "", ""
            if risky and item.code == risky[0]:
                answer, comment, action = "risk", risky[1], risky[2]
            elif watched and item.code == watched[0]:
                answer, comment = "watch", watched[1]
            elif item.code in ("driving_licence", "residence_permit") and rng.random() < 0.5:
                answer = "na"
            t["answer"].add(
                answer, comment, action, due if action else None, created, by if action else None, pk, by, item.pk
            )
            snapshot[item.code] = {
                "section": item.section.code,
                "label_fr": item.label_fr,
                "label_en": item.label_en,
                "sensitive": item.sensitive,
                "answer": answer,
                "comment": comment,
                "action": action,
                "owner": self.user_names.get(by, "") if action else "",
                "due": due.isoformat() if action else "",
            }
        if in_progress:
            return
        risks = [risky[0]] if risky else []
        alert = None
        if risks:
            inbox = prescriber or body
            status = "acknowledged" if (today - made).days > 7 else "new"
            reader = adviser or by
            acknowledged = min(created + datetime.timedelta(days=1), self.now) if status != "new" else None
            alert = t["alert"].add(
                status,
                created,
                acknowledged,
                None,
                reader if acknowledged else None,
                inbox.pk,
                "checklist_risk",
                stage,
                by,
                "",
            )
        t["revision"].add(
            1, created, json.dumps(snapshot, ensure_ascii=False), json.dumps(risks), json.dumps(risks), pk, by, alert
        )

    # Calendars and attendance --------------------------------------------------------------------------------

    def build_slots(self):
        ids = [p.pk for p in self.sessions]
        first, last = min(p.start for p in self.sessions), max(p.end for p in self.sessions)
        holidays = sorted(day for year in range(first.year, last.year + 1) for day in _holidays(year))
        with connection.cursor() as c:
            c.execute(
                """
                INSERT INTO attendance_slot (session_id, date, period, starts_at, ends_at, cancelled, cancel_reason)
                SELECT s.id, d.day, p.period,
                       CASE p.period WHEN 'am' THEN s.morning_start ELSE s.afternoon_start END,
                       CASE p.period WHEN 'am' THEN s.morning_end ELSE s.afternoon_end END,
                       false, ''
                FROM pathways_session s
                CROSS JOIN LATERAL (
                    SELECT g::date AS day FROM generate_series(s.start_date, s.end_date, interval '1 day') g
                ) d
                CROSS JOIN (VALUES ('am'), ('pm')) p (period)
                WHERE s.id = ANY(%s)
                  AND s.weekdays & (1 << (extract(isodow FROM d.day)::int - 1)) > 0
                  AND NOT d.day = ANY(%s::date[])
                ORDER BY s.id, d.day, p.period
                """,
                [ids, holidays],
            )
            self.writer.counts["attendance_slot"] += c.rowcount

    def build_marks(self):
        """The marks of every started stage, computed by PostgreSQL from a plan of (stage, session, first and last
        day); the status of each half-day drawn from a hash of the seed, the stage's rank and the slot's date, so
        the same seed gives the same marks whatever the ids."""
        w = self.writer
        with connection.cursor() as c:
            c.execute(
                "CREATE TEMPORARY TABLE scale_mark_plan (ordinal int, stage_id bigint, session_id bigint, "
                "first_day date, last_day date, absent_from date, trainer_id bigint)"
            )
            w.copy(
                "scale_mark_plan",
                ["ordinal", "stage_id", "session_id", "first_day", "last_day", "absent_from", "trainer_id"],
                self.mark_plan,
            )
            w.counts.pop("scale_mark_plan")
            c.execute("ANALYZE scale_mark_plan")
            with dropped_indexes(c, "attendance_mark"):
                c.execute(
                    """
                    -- What depends on the half-day only (its moment, its part of the hashed text), computed once
                    -- per half-day rather than once per mark (about 6 marks a half-day).
                    WITH slots AS MATERIALIZED (
                        SELECT id, session_id, date, ':' || date || period AS key,
                               (date + ends_at) AT TIME ZONE 'Europe/Paris' AS moment
                        FROM attendance_slot WHERE session_id IN (SELECT session_id FROM scale_mark_plan)
                    )
                    INSERT INTO attendance_mark (slot_id, stage_id, status, reason, version, updated_at,
                                                 updated_by_id)
                    SELECT slot_id, stage_id,
                           CASE WHEN absent THEN 'absent_unjustified'
                                WHEN h < 880 THEN 'present' WHEN h < 910 THEN 'late'
                                WHEN h < 950 THEN 'absent_justified' WHEN h < 990 THEN 'absent_unjustified'
                                ELSE 'excused' END,
                           CASE WHEN NOT absent AND h >= 910 AND h < 950 THEN
                                (ARRAY['illness', 'appointment', 'job_interview', 'family', 'other'])[h %% 5 + 1]
                                ELSE '' END,
                           1, moment, trainer_id
                    FROM (
                        SELECT s.id AS slot_id, p.stage_id, p.trainer_id, s.moment,
                               COALESCE(s.date >= p.absent_from, false) AS absent,
                               (hashtextextended(p.ordinal || s.key, %s) & 2147483647) %% 1000 AS h
                        FROM scale_mark_plan p
                        JOIN slots s ON s.session_id = p.session_id AND s.date BETWEEN p.first_day AND p.last_day
                    ) m
                    """,
                    [self.seed],
                )
                w.counts["attendance_mark"] += c.rowcount
            c.execute("DROP TABLE scale_mark_plan")

    # Charter, statistics -------------------------------------------------------------------------------------

    def build_charter(self):
        kept = Organisation.objects.filter(pk__in=[o.pk for o in self.largest()])
        self.charter = seed_charter(region=self.region, kept_signed=kept)

    def largest(self) -> list[Org]:
        """The largest training body and prescriber (the benchmarks' organisations)."""
        return [max(self.bodies, key=lambda o: o.weight), max(self.prescribers, key=lambda o: o.weight)]

    def analyze(self):
        with connection.cursor() as c:
            for table in sorted(self.writer.counts):
                c.execute(f"ANALYZE {table}")


# The tables `Generator.build_people`, `build_slots` and `build_marks` load in bulk.
LOADED_TABLES = (
    "pathways_beneficiary",
    "pathways_pathway",
    "pathways_stage",
    "pathways_stagetransition",
    "pathways_enrolment",
    "ruptures_alert",
    "ruptures_rupture",
    "ruptures_rupturecause",
    "ruptures_alertaction",
    "checklist_checklist",
    "checklist_checklistanswer",
    "checklist_checklistrevision",
    "attendance_slot",
    "attendance_mark",
)


class dropped_foreign_keys:
    """Drop the foreign keys of `tables` before a bulk load (`drop`) and add them back after it (`restore`), in the
    same transaction: a row written meanwhile queues no deferred check, and each key is then validated once, by
    one join over the whole table (ALTER TABLE … ADD CONSTRAINT), with the same definition (DEFERRABLE INITIALLY
    DEFERRED, as Django creates them). A failure rolls the transaction back, the drops with it."""

    def __init__(self, cursor, tables):
        self.cursor, self.tables = cursor, list(tables)
        self.constraints = []

    def drop(self):
        c = self.cursor
        # A table with pending trigger events cannot be altered: the deferred checks of the rows written so far
        # (the organisations, staff and offer: a few thousand rows) run now.
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")
        c.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = ANY(%s::regclass[]) AND contype = 'f' ORDER BY 1, 2",
            [self.tables],
        )
        self.constraints = c.fetchall()
        for table, name, _definition in self.constraints:
            c.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')

    def restore(self):
        c = self.cursor
        for table, name, definition in self.constraints:
            c.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        self.constraints = []


class dropped_indexes:
    """Drop the indexes and foreign keys of `table` (not its primary key), and rebuild them on exit, in the same
    transaction: a bulk load then writes the heap only, and each index is built once, sorted."""

    def __init__(self, cursor, table: str):
        self.cursor, self.table = cursor, table

    def __enter__(self):
        c = self.cursor
        c.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the deferred checks of the rows written so far, run now
        c.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype IN ('f', 'u') ORDER BY conname",
            [self.table],
        )
        self.constraints = c.fetchall()
        c.execute(
            "SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid "
            "WHERE x.indrelid = %s::regclass AND NOT x.indisprimary AND NOT EXISTS "
            "(SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid) ORDER BY i.relname",
            [self.table],
        )
        self.indexes = c.fetchall()
        for name, _definition in self.constraints:
            c.execute(f'ALTER TABLE {self.table} DROP CONSTRAINT "{name}"')
        for name, _definition in self.indexes:
            c.execute(f'DROP INDEX "{name}"')
        return self

    def __exit__(self, *exc):
        if exc[0] is not None:
            return False  # the transaction rolls back: the drops with it
        c = self.cursor
        c.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in self.indexes:
            c.execute(definition)
        for name, definition in self.constraints:
            c.execute(f'ALTER TABLE {self.table} ADD CONSTRAINT "{name}" {definition}')
        return False
