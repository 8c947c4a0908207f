"""`manage.py seed_demo`: a fictional but realistic world around Bordeaux, to show and try the product.

What it builds (Nouvelle-Aquitaine, INSEE region 75):
- the region's employment basins and communes, by running `import_basins` on the committed INSEE extract;
- organisations of each kind (training bodies, prescribers, funders, speaking-group structures) with the basins
  they serve and a valid (fake) SIRET; one account per role valid for each organisation's kind (two advisers per
  prescriber), the organisation manager being its legal representative; one platform administrator;
- programmes, training actions and their sessions (past, current, upcoming), companies;
- about 200 people, each with a pathway told event by event through the real services (`pathways.services`), so
  the data obeys every rule: state machine, dates, suspensions, seats, programme durations;
- a few join requests;
- attendance of the demo sessions, with people drifting on the demo trainer's watch list (`attendance.demo`);
- the charter of good practice signed, to renew, unsigned or withdrawn across the organisations (`charter.demo`);
- pre-entry checklists for most entrants, a few with risks alerted, a few missing (`checklist.demo`);
- ruptures on the busiest adviser's pathways, with their alerts in each state (`ruptures.demo`);
- a speaking group on the demo training body's sessions, its workshops and who came (`speaking_groups.demo`).

Every account shares the password `DEMO_PASSWORD`. The command is idempotent: each object is keyed on a natural
key (organisation name, e-mail, programme code, training body + title, company name) and skipped when it exists;
the people and their pathways are created only when none of the demo people exists yet.

The services stamp their rows with the current time (transition, audit-log and access-log timestamps, the
planning date of a stage, the opening and closing of a pathway). So that a pathway's history reads as it would
have happened, each event is then backdated to the simulated day it took place (`History.stamp`).
"""

import datetime
import hashlib
import random
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

from auditlog.context import set_actor
from auditlog.models import LogEntry
from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone
from stdnum import luhn

import pathways
from accounts.models import AccessLog
from attendance.demo import refresh_planner_statistics, seed_attendance
from attendance.models import Drift, Mark
from charter.demo import FUNDER_NAME as FUNDER
from charter.demo import seed_charter
from checklist.demo import seed_checklists
from commissions.demo import build_demo_reports, seed_commissions
from core.tasks import DOCUMENTS_QUEUE, enqueues_held, send_held
from notifications.models import ChannelPreference, Notification
from notifications.services import DELIVER_TASK
from pathways.models import (
    Basin,
    Beneficiary,
    Commune,
    Employer,
    Enrolment,
    JoinRequest,
    Membership,
    Organisation,
    Pathway,
    Programme,
    Region,
    Session,
    Stage,
    StageTransition,
    TrainingAction,
    Weekday,
)
from pathways.services.memberships import check_role_fits
from pathways.services.people import (
    beneficiary_create,
    join_request_create,
    join_request_decide,
    name_key,
    pathway_close,
    pathway_update,
)
from pathways.services.stages import stage_exit, stage_plan, stage_resume, stage_start, stage_suspend
from ruptures.demo import seed_ruptures
from speaking_groups.demo import seed_speaking_groups

User = get_user_model()
Role = Membership.Role
Kind = Organisation.Kind
PKind = Organisation.PrescriberKind
Status = Stage.Status
SKind = Stage.Kind

REGION_CODE = "75"
INSEE_EXTRACT = Path(pathways.__file__).resolve().parent / "data" / "insee" / "ZE2020_au_01-01-2023_extrait.xlsx"
DEMO_DOMAIN = "demo.sans-rupture.fr"
DEMO_PASSWORD = "SansRupture2026!"
SITE_URL = "http://127.0.0.1:8000/"
ADMIN_EMAIL = f"admin@{DEMO_DOMAIN}"
# The printed adviser's mobile (a number of the range reserved for fiction): they chose alerts by SMS too, so a
# rupture declared in the demo writes an SMS in the worker's log (README).
ADVISER_PHONE = "+33639989999"
# The printed trainer's training body, and the prescriber and adviser (conseiller2) who send it several trainees.
DEMO_TRAINING_BODY = "INSUP Cenon"
DEMO_PRESCRIBER = "France Travail Cenon"
DEMO_ADVISER_INDEX = 1
CREATE_VIEW = "pathways:beneficiary_create"

# Basins of the extract (INSEE ZE2020 codes): Bordeaux, Libourne, La Teste-de-Buch, Langon, Lesparre-Médoc,
# Bergerac, and the Nouvelle-Aquitaine part of Ussel.
BORDEAUX, LIBOURNE, LA_TESTE, LANGON, LESPARRE, BERGERAC, USSEL = (
    "7505",
    "7516",
    "7513",
    "7514",
    "7515",
    "7504",
    "0063-75",
)
GIRONDE = (BORDEAUX, LIBOURNE, LA_TESTE, LANGON, LESPARRE)
ALL_BASINS = (*GIRONDE, BERGERAC, USSEL)


# --------------------------------------------------------------------------------------------------------------
# Reference data


@dataclass(frozen=True)
class Org:
    name: str
    slug: str  # the e-mail domain part: formateur@<slug>.demo.sans-rupture.fr
    kind: str
    commune: str  # INSEE commune code of its premises
    basins: tuple
    prescriber_kind: str = ""
    coordinated_basin: str = ""  # funders: the basin their coordinator runs
    weight: int = 1  # how often people are sent there (the three sites of seed 000 more than others)


TB, PR, FU, SU = Kind.TRAINING_BODY, Kind.PRESCRIBER, Kind.FUNDER, Kind.SUPPORT
ORGANISATIONS = [
    # Training bodies: INSUP Cenon, MPS Artigues and INSUP Ambarès are the speaking-group sites of seed 000.
    Org("INSUP Cenon", "insup-cenon", TB, "33119", (BORDEAUX,), weight=4),
    Org("MPS Artigues", "mps-artigues", TB, "33013", (BORDEAUX,), weight=3),
    Org("INSUP Ambarès", "insup-ambares", TB, "33003", (BORDEAUX,), weight=3),
    Org("Afpa Bègles", "afpa-begles", TB, "33039", (BORDEAUX,)),
    Org("GRETA-CFA Aquitaine, agence de Bordeaux", "greta-bordeaux", TB, "33063", (BORDEAUX,)),
    Org("BTP CFA Gironde", "btp-cfa-gironde", TB, "33056", (BORDEAUX,)),
    Org("CFA de la Chambre de métiers de la Gironde", "cfa-cma-gironde", TB, "33063", (BORDEAUX,)),
    Org("Compagnons du Devoir, maison de Bordeaux", "compagnons-bordeaux", TB, "33063", (BORDEAUX,)),
    Org("École de la 2e Chance Bordeaux", "e2c-bordeaux", TB, "33063", (BORDEAUX,)),
    Org("Croix-Rouge Compétence, site de Bègles", "croix-rouge-begles", TB, "33039", (BORDEAUX,)),
    Org("MFR du Libournais", "mfr-libournais", TB, "33243", (LIBOURNE,)),
    Org("INSUP Libourne", "insup-libourne", TB, "33243", (LIBOURNE,)),
    Org("INSUP Langon", "insup-langon", TB, "33227", (LANGON,)),
    Org("GRETA-CFA Aquitaine, agence du Bassin", "greta-bassin", TB, "33529", (LA_TESTE,)),
    # Prescribers
    Org("France Travail Bordeaux Bastide", "ft-bordeaux-bastide", PR, "33063", (BORDEAUX,), PKind.FRANCE_TRAVAIL),
    Org("France Travail Cenon", "ft-cenon", PR, "33119", (BORDEAUX,), PKind.FRANCE_TRAVAIL),
    Org("France Travail Mérignac", "ft-merignac", PR, "33281", (BORDEAUX,), PKind.FRANCE_TRAVAIL),
    Org("France Travail Libourne", "ft-libourne", PR, "33243", (LIBOURNE,), PKind.FRANCE_TRAVAIL),
    Org("France Travail Langon", "ft-langon", PR, "33227", (LANGON,), PKind.FRANCE_TRAVAIL),
    Org("France Travail La Teste-de-Buch", "ft-la-teste", PR, "33529", (LA_TESTE,), PKind.FRANCE_TRAVAIL),
    Org("Mission Locale des Hauts de Garonne", "ml-hauts-de-garonne", PR, "33119", (BORDEAUX,), PKind.MISSION_LOCALE),
    Org("Mission Locale de Bordeaux", "ml-bordeaux", PR, "33063", (BORDEAUX,), PKind.MISSION_LOCALE),
    Org("Mission Locale Technowest", "ml-technowest", PR, "33281", (BORDEAUX,), PKind.MISSION_LOCALE),
    Org("Mission Locale du Libournais", "ml-libournais", PR, "33243", (LIBOURNE,), PKind.MISSION_LOCALE),
    Org("Mission Locale Sud-Gironde", "ml-sud-gironde", PR, "33227", (LANGON,), PKind.MISSION_LOCALE),
    Org("Mission Locale du Bassin d'Arcachon", "ml-bassin-arcachon", PR, "33529", (LA_TESTE,), PKind.MISSION_LOCALE),
    Org("Mission Locale du Médoc", "ml-medoc", PR, "33240", (LESPARRE, BORDEAUX), PKind.MISSION_LOCALE),
    Org("Cap emploi Gironde", "cap-emploi-gironde", PR, "33063", GIRONDE, PKind.CAP_EMPLOI),
    Org("PLIE des Hauts de Garonne", "plie-hauts-de-garonne", PR, "33249", (BORDEAUX,), PKind.PLIE),
    Org("PLIE du Libournais", "plie-libournais", PR, "33243", (LIBOURNE,), PKind.PLIE),
    Org("Département de la Gironde, MDS de Cenon", "mds-cenon", PR, "33119", (BORDEAUX,), PKind.DEPARTEMENT),
    Org("Département de la Gironde, MDS de Libourne", "mds-libourne", PR, "33243", (LIBOURNE,), PKind.DEPARTEMENT),
    # Funders
    Org("Région Nouvelle-Aquitaine", "region-nouvelle-aquitaine", FU, "33063", ALL_BASINS, coordinated_basin=BORDEAUX),
    Org("DREETS Nouvelle-Aquitaine", "dreets-na", FU, "33063", ALL_BASINS, coordinated_basin=LIBOURNE),
    Org("Département de la Gironde", "gironde", FU, "33063", GIRONDE, coordinated_basin=LA_TESTE),
    Org("Département de la Dordogne", "dordogne", FU, "24037", (BERGERAC,), coordinated_basin=BERGERAC),
    Org("Département de la Corrèze", "correze", FU, "19275", (USSEL,), coordinated_basin=USSEL),
    Org("Bordeaux Métropole", "bordeaux-metropole", FU, "33063", (BORDEAUX,), coordinated_basin=BORDEAUX),
    Org(
        "France Travail, direction régionale",
        "ft-direction-regionale",
        FU,
        "33063",
        ALL_BASINS,
        coordinated_basin=LANGON,
    ),
    Org("OPCO EP Nouvelle-Aquitaine", "opco-ep", FU, "33281", ALL_BASINS, coordinated_basin=LESPARRE),
    Org("Constructys Nouvelle-Aquitaine", "constructys", FU, "33063", ALL_BASINS, coordinated_basin=BORDEAUX),
    Org("AKTO Nouvelle-Aquitaine", "akto", FU, "33063", ALL_BASINS, coordinated_basin=LA_TESTE),
    Org("OPCO Santé Nouvelle-Aquitaine", "opco-sante", FU, "33063", ALL_BASINS, coordinated_basin=BORDEAUX),
    Org("Uniformation Nouvelle-Aquitaine", "uniformation", FU, "33063", ALL_BASINS, coordinated_basin=LIBOURNE),
    Org("OCAPIAT Nouvelle-Aquitaine", "ocapiat", FU, "33243", ALL_BASINS, coordinated_basin=LIBOURNE),
    Org("Agefiph Nouvelle-Aquitaine", "agefiph", FU, "33063", ALL_BASINS, coordinated_basin=BORDEAUX),
    # Support: the structures of the speaking-group facilitators
    Org("Parole et Parcours", "parole-et-parcours", SU, "33119", (BORDEAUX,)),
    Org("Atelier des Possibles", "atelier-des-possibles", SU, "33013", (BORDEAUX,)),
    Org("Escale Parole Rive Droite", "escale-parole", SU, "33003", (BORDEAUX,)),
    Org("Trait d'Union Médiation", "trait-d-union", SU, "33063", (BORDEAUX,)),
    Org("Passerelles Écoute Bordeaux Sud", "passerelles-ecoute", SU, "33039", (BORDEAUX,)),
    Org("L'Arbre à Palabres", "arbre-a-palabres", SU, "33281", (BORDEAUX,)),
    Org("Collectif Groupes de parole Métropole", "collectif-gp-metropole", SU, "33522", (BORDEAUX,)),
    Org("Horizon Écoute Libournais", "horizon-ecoute", SU, "33243", (LIBOURNE,)),
    Org("Les Voix du Bassin", "voix-du-bassin", SU, "33529", (LA_TESTE,)),
    Org("Relais Parole Sud-Gironde", "relais-parole", SU, "33227", (LANGON,)),
    Org("Cap Dialogue Médoc", "cap-dialogue-medoc", SU, "33240", (LESPARRE,)),
    Org("Écoute et Parcours Bergeracois", "ecoute-bergerac", SU, "24037", (BERGERAC,)),
    Org("Point Écoute Jeunes Haute-Corrèze", "point-ecoute-ussel", SU, "19275", (USSEL,)),
]
ORG_BY_NAME = {org.name: org for org in ORGANISATIONS}

# Accounts of each organisation kind: (role, local part of the e-mail).
ACCOUNTS = {
    TB: [
        (Role.TRAINER, "formateur"),
        (Role.PEDAGOGICAL_MANAGER, "resp-pedagogique"),
        (Role.ORG_MANAGER, "direction"),
        (Role.DPO, "dpo"),
    ],
    PR: [
        (Role.PRESCRIBER_ADVISER, "conseiller1"),
        (Role.PRESCRIBER_ADVISER, "conseiller2"),
        (Role.ORG_MANAGER, "direction"),
        (Role.DPO, "dpo"),
    ],
    FU: [
        (Role.REGIONAL_OFFICER, "charge-de-mission"),
        (Role.BASIN_COORDINATOR, "coordination-bassin"),
        (Role.ORG_MANAGER, "direction"),
        (Role.DPO, "dpo"),
    ],
    SU: [(Role.FACILITATOR, "intervenant"), (Role.ORG_MANAGER, "direction"), (Role.DPO, "dpo")],
}

# code: (name, region (None: national), max duration, max suspension, in months)
PROGRAMMES = {
    "hsp": ("HSP premier niveau de qualification", REGION_CODE, 24, 6),
    "apprentissage": ("Contrat d'apprentissage", None, 36, 6),
    "prf": ("PRF — Programme régional de formation", REGION_CODE, 24, 6),
    "promo-16-18": ("Promo 16-18", None, 6, 2),
}

# Tracks: the kind of stage a training action's sessions hold, and when its sessions run (days from today,
# before alignment on Monday/Friday): two past runs at most, one current, one upcoming.
PREQ, QUAL, APPR, PROMO = "preq", "qual", "appr", "promo"
TRACK_KIND = {
    PREQ: SKind.PRE_QUALIFICATION,
    QUAL: SKind.QUALIFYING_TRAINING,
    APPR: SKind.APPRENTICESHIP,
    PROMO: SKind.PRE_QUALIFICATION,
}
SESSION_PLAN = {
    PREQ: [(-430, -290), (-165, -15), (-50, 90), (30, 170)],
    QUAL: [(-270, -30), (-120, 120), (40, 280)],
    APPR: [(-740, -25), (-270, 460), (60, 790)],
    PROMO: [(-220, -100), (-45, 75), (40, 160)],
}

# Training offer: training body → [(title, track, programme code, sector of the companies it leads to)].
OFFER = {
    "INSUP Cenon": [
        ("Titre professionnel Agent·e de propreté et d'hygiène", QUAL, "hsp", "proprete"),
        ("Pré-qualification métiers du bâtiment", PREQ, "hsp", "batiment"),
        ("Savoirs de base et projet professionnel", PREQ, "hsp", ""),
    ],
    "MPS Artigues": [
        ("CAP Accompagnant éducatif petite enfance", QUAL, "prf", "petite_enfance"),
        ("Titre professionnel Assistant·e de vie aux familles", QUAL, "prf", "aide_domicile"),
        ("Pré-qualification services à la personne", PREQ, "hsp", "aide_domicile"),
    ],
    "INSUP Ambarès": [
        ("Titre professionnel Agent·e magasinier·ère", QUAL, "prf", "logistique"),
        ("Pré-qualification logistique et transport", PREQ, "hsp", "logistique"),
    ],
    "Afpa Bègles": [
        ("Titre professionnel Maçon·ne", QUAL, "prf", "batiment"),
        ("Titre professionnel Électricien·ne d'équipement du bâtiment", QUAL, "prf", "batiment"),
        ("Promo 16-18 : se remobiliser, découvrir des métiers", PROMO, "promo-16-18", ""),
    ],
    "GRETA-CFA Aquitaine, agence de Bordeaux": [
        ("Titre professionnel Employé·e commercial·e en magasin", QUAL, "prf", "commerce"),
        ("Français langue étrangère à visée professionnelle", PREQ, "hsp", ""),
    ],
    "BTP CFA Gironde": [
        ("CAP Maçon", APPR, "apprentissage", "batiment"),
        ("CAP Électricien", APPR, "apprentissage", "batiment"),
        ("CAP Menuisier fabricant", APPR, "apprentissage", "batiment"),
    ],
    "CFA de la Chambre de métiers de la Gironde": [
        ("CAP Boulanger", APPR, "apprentissage", "boulangerie"),
        ("CAP Esthétique, cosmétique, parfumerie", APPR, "apprentissage", "beaute"),
        ("CAP Métiers de la coiffure", APPR, "apprentissage", "beaute"),
    ],
    "Compagnons du Devoir, maison de Bordeaux": [
        ("CAP Charpentier bois", APPR, "apprentissage", "batiment"),
        ("CAP Couvreur", APPR, "apprentissage", "batiment"),
    ],
    "École de la 2e Chance Bordeaux": [
        ("Parcours E2C : remise à niveau et immersions", PREQ, "hsp", ""),
    ],
    "Croix-Rouge Compétence, site de Bègles": [
        ("Titre professionnel Agent·e de service médico-social", QUAL, "prf", "medico_social"),
        ("Titre professionnel Assistant·e de vie aux familles", QUAL, "hsp", "aide_domicile"),
    ],
    "MFR du Libournais": [
        ("CAPa Métiers de l'agriculture, vigne et vin", APPR, "apprentissage", "vigne"),
        ("Pré-qualification métiers de la vigne et du vin", PREQ, "hsp", "vigne"),
    ],
    "INSUP Libourne": [
        ("Titre professionnel Agent·e de restauration", QUAL, "prf", "restauration"),
        ("Savoirs de base et projet professionnel", PREQ, "hsp", ""),
    ],
    "INSUP Langon": [
        ("Titre professionnel Assistant·e de vie aux familles", QUAL, "prf", "aide_domicile"),
        ("Remise à niveau et découverte des métiers", PREQ, "hsp", ""),
    ],
    "GRETA-CFA Aquitaine, agence du Bassin": [
        ("Titre professionnel Serveur·se en restauration", QUAL, "prf", "restauration"),
        ("CAP Cuisine", APPR, "apprentissage", "restauration"),
    ],
}


# Who pays for a training action (its funder's regional officers are alerted of its ruptures): the Région for its
# programmes (HSP, PRF), the State for Promo 16-18, the sector's OPCO for apprenticeships.
PROGRAMME_FUNDER = {"hsp": FUNDER, "prf": FUNDER, "promo-16-18": "DREETS Nouvelle-Aquitaine"}
SECTOR_OPCO = {
    "batiment": "Constructys Nouvelle-Aquitaine",
    "boulangerie": "OPCO EP Nouvelle-Aquitaine",
    "beaute": "OPCO EP Nouvelle-Aquitaine",
    "vigne": "OCAPIAT Nouvelle-Aquitaine",
    "restauration": "AKTO Nouvelle-Aquitaine",
}


def action_funder(programme: str, sector: str) -> str:
    return PROGRAMME_FUNDER.get(programme) or SECTOR_OPCO[sector]


@dataclass(frozen=True)
class Company:
    name: str
    commune: str
    sector: str
    contact: str


EMPLOYERS = [
    Company("Propreté Atlantique Services", "33281", "proprete", "Sandrine Lafargue"),
    Company("Net'Aqui Multiservices", "33119", "proprete", "Karim Benali"),
    Company("Crèche Les Petits Mousses", "33063", "petite_enfance", "Élodie Castaing"),
    Company("Aide à domicile Rive Droite", "33249", "aide_domicile", "Nathalie Dupouy"),
    Company("EHPAD Les Jardins de Talence", "33522", "medico_social", "Christophe Labat"),
    Company("Garonne Logistique", "33032", "logistique", "Frédéric Larrieu"),
    Company("Marché Frais de la Bastide", "33063", "commerce", "Isabelle Ducos"),
    Company("Maçonnerie Dupuy et Fils", "33003", "batiment", "Stéphane Dupuy"),
    Company("Électricité Générale Médocaine", "33056", "batiment", "Julien Cazenave"),
    Company("Menuiserie Artisanale des Graves", "33238", "batiment", "Romain Bordes"),
    Company("Charpentes et Couvertures du Libournais", "33243", "batiment", "Sébastien Lalanne"),
    Company("Boulangerie Au Fournil des Chartrons", "33063", "boulangerie", "Audrey Darriet"),
    Company("Salon Coiffure et Beauté Talence", "33522", "beaute", "Samia Haddad"),
    Company("Brasserie Le Quai des Chartrons", "33063", "restauration", "David Laborde"),
    Company("Restaurant Le Comptoir du Bassin", "33009", "restauration", "Marine Dubos"),
    Company("Château Belle-Rive", "33394", "vigne", "Pierre-Louis Lacoste"),
]

FIRST_NAMES = (
    "Emma Léa Chloé Manon Camille Inès Jade Sarah Lina Yasmine Amira Aïcha Nora Julie Laura Marine Océane Anaïs "
    "Clara Zoé Lucie Mélissa Sandrine Nathalie Isabelle Sophie Karine Fatou Mariama Élodie Audrey Émilie Maëlys "
    "Kelly Célia Samia Lucas Hugo Nathan Enzo Louis Thomas Théo Mathis Kylian Rayan Adam Mohamed Yanis Bilal "
    "Ibrahim Moussa Mamadou Kevin Jordan Dylan Maxime Julien Nicolas Sébastien Christophe Stéphane Frédéric "
    "David Karim Mehdi Sofiane Anthony Romain Alexandre Jean-Baptiste Pierre-Louis Jérémy Florian"
).split()
LAST_NAMES = (
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent Lefebvre Michel Garcia "
    "David Bertrand Roux Vincent Fournier Morel Girard André Mercier Dupont Lambert Bonnet François Martinez "
    "Legrand Garnier Faure Rousseau Blanc Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément "
    "Gauthier Dumont Lopez Fontaine Chevalier Robin Masson Sanchez Nguyen Boyer Denis Lemaire Duval Joly Roche "
    "Roy Noël Meyer Lucas Meunier Perez Marchand Dufour Blanchard Barbier Brun Dumas Brunet Colin Fernandez "
    "Renard Arnaud Caron Giraud Vidal Renaud Lemoine Picard Fabre Dupuis Rivière Lafargue Dubos Labat Darriet "
    "Lacoste Larrieu Castaing Dupouy Lalanne Bordes Cazenave Ducos Laborde Benali Diallo Traoré Haddad Mendes "
    "Pereira Ferreira Kaya Yılmaz Diop Camara Cissé Amrani Belkacem Santos Oliveira"
).split() + ["Da Silva", "Le Gall", "Ben Youssef", "D'Almeida"]

# (scenario, number of people): 200 in all, every stage status and several chained pathways.
SCENARIOS = [
    ("qual_in_progress", 36),
    ("chain_to_employment", 8),
    ("chain_closed", 6),
    ("preq_in_progress", 18),
    ("preq_done_qual_planned", 14),
    ("planned_with_immersion", 10),
    ("planned_only", 8),
    ("suspended", 12),
    ("suspended_resumed", 8),
    ("abandoned_open", 10),
    ("abandoned_closed", 4),
    ("closed_moved", 2),
    ("early_exit", 10),
    ("cancelled", 6),
    ("apprentice_direct", 14),
    ("apprentice_new_employer", 4),
    ("apprentice_completed", 4),
    ("apprentice_prescribed", 6),
    ("apprentice_planned", 4),
    ("promo_in_progress", 8),
    ("immersion_now", 4),
    ("orientation_now", 4),
]
PEOPLE = sum(count for _name, count in SCENARIOS)
BACKGROUND_PEOPLE = 2700  # the background population (`pathways.management.demo_population`)

SUSPENSION_REASONS = [
    "Raisons de santé : arrêt de travail.",
    "Garde d'enfant : pas de solution d'accueil pour le moment.",
    "Recherche de logement en cours.",
    "Problème de transport : véhicule en panne, pas de ligne de bus adaptée.",
    "Démarches administratives en cours.",
    "Situation familiale : accompagnement d'un proche.",
]
ABANDON_REASONS = [
    "Perte de contact après trois relances sans réponse (appel, SMS, courrier).",
    "Inadéquation avec le projet professionnel.",
    "Difficultés de garde d'enfant non résolues.",
    "Pas de solution de transport.",
    "Difficultés dans le groupe ; ne souhaite pas poursuivre.",
    "Rémunération de stage insuffisante pour couvrir les charges.",
]
APPRENTICESHIP_BREAKS = [
    "Rupture du contrat d'apprentissage à l'initiative de l'employeur pendant la période d'essai.",
    "Rupture d'un commun accord du contrat d'apprentissage.",
]


# --------------------------------------------------------------------------------------------------------------
# Small helpers


def ascii_slug(value: str) -> str:
    """'Jean-Baptiste D'Almeida' → 'jean-baptiste-dalmeida' (for readable e-mail addresses)."""
    decomposed = unicodedata.normalize("NFKD", value).replace("ı", "i")
    text = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    text = "".join(c if c.isalnum() else ("-" if c in " -" else "") for c in text)
    return "-".join(part for part in text.split("-") if part)


def fake_siret(key: str) -> str:
    """A stable, valid but fake SIRET for `key`: its SIREN (the first 9 digits) and the whole 14 digits each pass
    Luhn, as python-stdnum checks (never one of La Poste's, which have a rule of their own)."""
    digits = f"{int(hashlib.sha256(key.encode()).hexdigest(), 16) % 10**12:012d}"
    if digits.startswith("35600000"):
        digits = "1" + digits[1:]
    siren = digits[:8] + luhn.calc_check_digit(digits[:8])
    base = siren + digits[8:]
    return base + luhn.calc_check_digit(base)


def fiction_phone(number: int, prefix: str) -> str:
    """A number in the ranges ARCEP reserves for fiction (05 36 49 xx xx, 06 39 98 xx xx), in E.164 as stored."""
    return f"+33{prefix[1:]}{number % 10000:04d}"


def weekday_before(day: datetime.date) -> datetime.date:
    """`day`, or the Friday before when it falls on a weekend."""
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


class MissingSession(Exception):
    """No session of the wanted track and period has a seat left: the story falls back to a simpler one."""


# --------------------------------------------------------------------------------------------------------------
# History: backdate what the services stamped "now" to the simulated moment of each event


class History:
    # The access log is append-only (the database refuses an UPDATE): its rows keep the moment the demo was loaded.
    STAMPED = ((StageTransition, "at"), (LogEntry, "timestamp"))

    def __init__(self):
        self.last = {model: self._max(model) for model, _field in self.STAMPED}

    @staticmethod
    def _max(model):
        return model.objects.aggregate(last=Max("pk"))["last"] or 0

    def stamp(self, moment: datetime.datetime, *, plan: bool = False) -> None:
        for model, field in self.STAMPED:
            rows = model.objects.filter(pk__gt=self.last[model])
            if plan and model is StageTransition:
                rows.filter(action=StageTransition.Action.PLAN).update(effective_date=timezone.localdate(moment))
            if rows.update(**{field: moment}):
                self.last[model] = self._max(model)


# --------------------------------------------------------------------------------------------------------------
# A person's pathway, told event by event


@dataclass
class Person:
    identity: dict
    age: int
    basin: str


class Story:
    """One pathway: every event goes through a service, as `by`, and is then dated to the day it happened."""

    def __init__(self, seeder, *, person, opened_by, referent, by, prescriber=None, adviser=None, on):
        self.seeder = seeder
        self.prescriber = prescriber
        self.adviser = adviser
        self.opened_by = opened_by
        self.last_moment = None
        moment = self._moment(on)
        with set_actor(by):
            self.pathway = beneficiary_create(
                by=by,
                opened_by=opened_by,
                identity=person.identity,
                view_name=CREATE_VIEW,
                referent=referent,
                prescribing_organisation=prescriber,
                prescribing_adviser=adviser,
            )
        seeder.history.stamp(moment)
        Pathway.objects.filter(pk=self.pathway.pk).update(opened_at=moment)
        Beneficiary.objects.filter(pk=self.pathway.beneficiary_id).update(created_at=moment)
        self.pathway.refresh_from_db()  # `pathway_update` saves every field: never from a stale copy

    @property
    def referent(self):
        return self.pathway.referent

    @property
    def manager(self):
        """Who plans stages: the adviser, or the referent of a pathway opened without prescriber."""
        return self.adviser or self.referent

    def _moment(self, day: datetime.date) -> datetime.datetime:
        rng = self.seeder.rng
        naive = datetime.datetime.combine(day, datetime.time(8, 30)) + datetime.timedelta(minutes=rng.randrange(540))
        moment = timezone.make_aware(naive)
        if self.last_moment is not None:
            moment = max(moment, self.last_moment + datetime.timedelta(minutes=7))
        self.last_moment = min(moment, timezone.now())
        return self.last_moment

    def _run(self, by, day, service, *, plan=False, **kwargs):
        moment = self._moment(day)
        with set_actor(by):
            result = service(by=by, **kwargs)
        self.seeder.history.stamp(moment, plan=plan)
        return result, moment

    def staff(self, stage):
        """Who records the life of `stage`: a trainer or pedagogical manager of a training body, else its
        adviser."""
        if stage.organisation.kind == Kind.TRAINING_BODY:
            roles = [Role.TRAINER, Role.TRAINER, Role.PEDAGOGICAL_MANAGER]
            return self.seeder.member(stage.organisation, self.seeder.rng.choice(roles))
        if self.adviser is not None and stage.organisation == self.prescriber:
            return self.adviser
        return self.referent

    # Stages --------------------------------------------------------------------------------------------------

    def plan(self, kind, organisation, *, on, start, end=None, session=None, employer=None, by=None):
        stage, moment = self._run(
            by or self.manager,
            on,
            stage_plan,
            plan=True,
            pathway=self.pathway,
            kind=kind,
            organisation=organisation,
            planned_start=start,
            planned_end=end,
            session=session,
            employer=employer,
        )
        Stage.objects.filter(pk=stage.pk).update(created_at=moment)
        Enrolment.objects.filter(stage=stage).update(created_at=moment)
        return stage

    def plan_in(self, session, *, on, employer=None, start=None):
        action = session.training_action
        start = start or session.start_date
        self.seeder.take_seat(session)
        return self.plan(
            TRACK_KIND[self.seeder.track_of[action.pk]],
            action.training_body,
            on=on,
            start=start,
            end=session.end_date,
            session=session,
            employer=employer,
        )

    def start(self, stage, on):
        return self._run(self.staff(stage), on, stage_start, stage=stage, date=on)[0]

    def suspend(self, stage, on, resume_on, reason):
        return self._run(
            self.staff(stage), on, stage_suspend, stage=stage, date=on, planned_resume=resume_on, reason=reason
        )[0]

    def resume(self, stage, on):
        return self._run(self.staff(stage), on, stage_resume, stage=stage, date=on)[0]

    def exit(self, stage, status, on, *, destination="", reason="", by=None):
        return self._run(
            by or self.staff(stage),
            on,
            stage_exit,
            stage=stage,
            status=status,
            date=on,
            destination=destination,
            reason=reason,
        )[0]

    # Pathway -------------------------------------------------------------------------------------------------

    def hand_over(self, referent, on):
        """Make `referent` (a member of an organisation holding a stage) the pathway's thread."""
        self.pathway, _moment = self._run(
            self.manager,
            on,
            pathway_update,
            pathway=self.pathway,
            referent=referent,
            prescribing_organisation=self.prescriber,
            prescribing_adviser=self.adviser,
        )

    def close(self, on, reason):
        self.pathway, moment = self._run(self.referent, on, pathway_close, pathway=self.pathway, reason=reason)
        Pathway.objects.filter(pk=self.pathway.pk).update(closed_at=moment)
        self.pathway.refresh_from_db()


# --------------------------------------------------------------------------------------------------------------
# The command


def settle_held(held) -> tuple[int, int]:
    """What the seed would have left to the workers, settled at once, so a newcomer's first alerts wait behind
    nothing: the demo's notifications are history, marked delivered when they were created (no e-mail or SMS goes
    out for them); the rule evaluations are dropped (the seed has just evaluated every session as of today, see
    `attendance.demo`); the documents it requested (signed charter copies) go to the documents queue, once each.
    Returns (notifications marked delivered, documents sent for building)."""
    causes = {args[0] for task_path, args in held if task_path == DELIVER_TASK}
    history = Notification.objects.filter(cause_key__in=causes, status=Notification.Status.PENDING).update(
        status=Notification.Status.DELIVERED, delivered_at=F("created_at"), claimed_until=None
    )
    documents = send_held(held, keep=lambda task: getattr(task, "queue", None) == DOCUMENTS_QUEUE)
    return history, documents


class Command(BaseCommand):
    help = (
        "Charge des données de démonstration fictives (Nouvelle-Aquitaine, autour de Bordeaux) : bassins, "
        "structures, comptes, dispositifs, sessions, entreprises, ~200 personnes et leurs parcours. "
        "Sans effet si elles sont déjà là."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet", action="store_true", help="N'affiche ni le détail de l'import ni les identifiants."
        )
        parser.add_argument(
            "--background-people",
            type=int,
            default=BACKGROUND_PEOPLE,
            help=f"Personnes de la population de fond, fictives, dans 3 bassins ({BACKGROUND_PEOPLE}).",
        )

    def handle(self, *args, quiet=False, background_people=BACKGROUND_PEOPLE, **options):
        started = time.monotonic()
        before = table_counts()
        with enqueues_held() as held, transaction.atomic():
            seeder = Seeder(stdout=None if quiet else self.stdout, background_people=background_people)
            seeder.run()
        history, documents = settle_held(held)
        # The dashboards' rollups of the demo region (the seed writes much in bulk: no event queued it all).
        call_command("rollups_rebuild", region=seeder.region.code, stdout=StringIO() if quiet else self.stdout)
        # The commission reports of the past meetings print those figures: built now, once they are there.
        reports = build_demo_reports(region=seeder.region)
        if reports and not quiet:
            self.stdout.write(f"  {reports} rapports de commission construits.")
        after = table_counts()
        created = sum(after.values()) - sum(before.values())
        self._summary(seeder, created, time.monotonic() - started)
        if history or documents:
            self.stdout.write(
                f"  {history} notifications de l'historique marquées distribuées (aucun envoi) · "
                f"{documents} documents confiés au worker des documents."
            )
        if not quiet:
            self._logins(seeder)

    # Output ----------------------------------------------------------------------------------------------------

    def _summary(self, seeder, created, seconds):
        region = seeder.region
        kinds = Counter(Organisation.objects.filter(region=region).values_list("kind", flat=True))
        pathways_ = Pathway.objects.filter(beneficiary__region=region)
        stages = Stage.objects.filter(pathway__in=pathways_)
        lines = [
            f"Sans Rupture : données de démonstration (fictives), région {region.name} ({region.code})",
            f"  Territoire : {Basin.objects.filter(region=region).count()} bassins d'emploi, "
            f"{Commune.objects.filter(basin__region=region).count()} communes",
            f"  Structures : {sum(kinds.values())} ({kinds[TB]} organismes de formation, {kinds[PR]} prescripteurs, "
            f"{kinds[FU]} financeurs, {kinds[SU]} d'accompagnement)",
            f"  Comptes : {User.objects.count()} · dispositifs : {Programme.objects.count()} · actions de formation : "
            f"{TrainingAction.objects.filter(training_body__region=region).count()} · sessions : "
            f"{Session.objects.filter(training_action__training_body__region=region).count()} · entreprises : "
            f"{Employer.objects.filter(region=region).count()}",
            f"  Personnes : {Beneficiary.objects.filter(region=region).count()} · parcours : {pathways_.count()} "
            f"(dont {pathways_.filter(status=Pathway.Status.CLOSED).count()} clôturés) · étapes : {stages.count()} · "
            "demandes de rattachement en attente : "
            f"{JoinRequest.objects.filter(pathway__in=pathways_, status=JoinRequest.Status.PENDING).count()}",
            f"  Assiduité : {Mark.objects.filter(stage__in=stages).count()} émargements · décrochages ouverts : "
            f"{Drift.objects.filter(stage__in=stages, status=Drift.Status.OPEN).count()} · ruptures présumées : "
            f"{Drift.objects.filter(stage__in=stages, status=Drift.Status.PRESUMED).count()}",
        ]
        if created:
            lines.append(f"  {created} lignes créées en {seconds:.1f} s.".replace(".", ",", 1))
        else:
            lines.append("  Rien de nouveau : les données de démonstration étaient déjà en place.")
        self.stdout.write("\n".join(lines))

    def _logins(self, seeder):
        self.stdout.write("")
        self.stdout.write(f"Connexion : {SITE_URL}")
        self.stdout.write(f"Mot de passe, le même pour tous les comptes : {DEMO_PASSWORD}")
        if not settings.TWO_FACTOR_ENFORCE_MANDATORY:
            self.stdout.write(
                "Double authentification : non exigée dans cette démonstration (config/settings/dev.py) ; "
                "chacun peut l'activer depuis son menu."
            )
        self.stdout.write("")
        rows = login_rows(seeder.region)
        width = max(len(label) for label, *_rest in rows) + 2
        for label, email, where, referent, name in rows:
            self.stdout.write(f"  {label.ljust(width)}{email}")
            details = f"{name} · {where}" + (f" · référent·e de {referent}" if referent else "")
            self.stdout.write(f"  {''.ljust(width)}{details}")
        self.stdout.write("")
        self.stdout.write(
            "« référent·e de N parcours » : ce compte est le fil rouge de ces parcours ouverts.\n"
            f"Les autres comptes suivent le modèle <rôle>@<structure>.{DEMO_DOMAIN} : formateur, "
            "resp-pedagogique,\ndirection, dpo, conseiller1, conseiller2, intervenant, charge-de-mission, "
            "coordination-bassin."
        )


ADVISER_LABEL = "Conseiller·ère prescripteur·rice"
LOGIN_LABELS = [
    "Formateur·rice",
    "Responsable pédagogique",
    "Responsable de structure",
    "Représentant·e légal·e",
    ADVISER_LABEL,
    "Intervenant·e groupes de parole",
    "Chargé·e de mission Région",
    "Coordinateur·rice de bassin",
    "DPO",
    "Administrateur·rice",
]


def login_rows(region):
    """One login per role (docs/design.md §1), chosen among the demo accounts whose home page shows something."""
    open_referent = Count("user__referent_pathways", filter=Q(user__referent_pathways__status="open"), distinct=True)
    memberships = (
        Membership.objects.active()
        .filter(organisation__region=region, organisation__name__in=ORG_BY_NAME)  # not the background population
        .select_related("user", "organisation")
    )

    def org_member(role, org_name):
        return memberships.filter(role=role, organisation__name=org_name).order_by("user__email").first()

    def busiest(role, count):
        return memberships.filter(role=role).annotate(n=count).order_by("-n", "user__email").first()

    def dpo_with_most_accesses():
        """The DPO whose home page (the access log of their organisation) is the fullest."""
        top = (
            AccessLog.objects.filter(acting_organisation__region=region)
            .values("acting_organisation")
            .annotate(n=Count("pk"))
            .order_by("-n", "acting_organisation")
        )
        for row in top[:5]:
            membership = memberships.filter(role=Role.DPO, organisation_id=row["acting_organisation"]).first()
            if membership is not None:
                return membership
        return memberships.filter(role=Role.DPO).order_by("user__email").first()

    picks = [
        ("Formateur·rice", org_member(Role.TRAINER, "INSUP Cenon")),
        ("Responsable pédagogique", busiest(Role.PEDAGOGICAL_MANAGER, open_referent)),
        (
            "Responsable de structure",
            busiest(
                Role.ORG_MANAGER,
                Count("organisation__opened_pathways", filter=Q(organisation__opened_pathways__status="open")),
            ),
        ),
        ("Représentant·e légal·e", org_member(Role.ORG_MANAGER, "Région Nouvelle-Aquitaine")),
        (
            "Conseiller·ère prescripteur·rice",
            busiest(
                Role.PRESCRIBER_ADVISER,
                Count("user__prescribed_pathways", filter=Q(user__prescribed_pathways__status="open")),
            ),
        ),
        ("Intervenant·e groupes de parole", org_member(Role.FACILITATOR, "Parole et Parcours")),
        ("Chargé·e de mission Région", org_member(Role.REGIONAL_OFFICER, "Région Nouvelle-Aquitaine")),
        ("Coordinateur·rice de bassin", org_member(Role.BASIN_COORDINATOR, "Région Nouvelle-Aquitaine")),
        ("DPO", dpo_with_most_accesses()),
    ]
    referent_counts = dict(
        Pathway.objects.open().values("referent").annotate(n=Count("pk")).values_list("referent", "n")
    )
    rows = []
    for label, membership in picks:
        if membership is None:
            continue
        where = membership.organisation.name
        if membership.basin_id:
            where += f" (bassin {membership.basin.name})"
        count = referent_counts.get(membership.user_id, 0)
        user = membership.user
        rows.append((label, user.email, where, f"{count} parcours" if count else "", user.get_full_name()))
    admin = User.objects.filter(email=ADMIN_EMAIL).first()
    if admin is not None:
        rows.append(("Administrateur·rice", admin.email, "plateforme (/admin/)", "", admin.get_full_name()))
    return rows


def table_counts():
    """Row counts of every table the seed touches (pathways, accounts, attendance, notifications, the audit log)."""
    models = [
        *apps.get_app_config("pathways").get_models(include_auto_created=True),
        *apps.get_app_config("accounts").get_models(include_auto_created=True),
        *apps.get_app_config("attendance").get_models(include_auto_created=True),
        *apps.get_app_config("notifications").get_models(include_auto_created=True),
        LogEntry,
    ]
    return {model._meta.db_table: model.objects.count() for model in models}


class Seeder:
    def __init__(self, *, stdout=None, background_people=BACKGROUND_PEOPLE):
        self.stdout = stdout
        self.background_people = background_people
        self.today = timezone.localdate()
        self.rng = random.Random(2026)
        self.members = {}  # (organisation pk, role) -> [users]
        self.seats = Counter()

    def run(self):
        self.load_basins()
        self.load_programmes()
        self.load_organisations()
        self.load_accounts()
        self.load_offer()
        self.load_employers()
        self.load_people()
        refresh_planner_statistics()
        self.attendance = seed_attendance(today=self.today, rng=self.rng, stdout=self.stdout)
        self.charter = seed_charter(region=self.region, kept_signed=self.printed_organisations(), stdout=self.stdout)
        self.checklists = seed_checklists(region=self.region, today=self.today, rng=self.rng, stdout=self.stdout)
        self.ruptures = seed_ruptures(
            region=self.region, today=self.today, spare=self.orgs[DEMO_TRAINING_BODY], stdout=self.stdout
        )
        self.speaking_groups = seed_speaking_groups(region=self.region, today=self.today, stdout=self.stdout)
        self.commissions = seed_commissions(
            region=self.region, today=self.today, stdout=self.stdout, featured=(DEMO_TRAINING_BODY, DEMO_PRESCRIBER)
        )
        self.load_adviser_sms()
        self.background = self.load_background()

    def load_adviser_sms(self):
        """The printed adviser has a mobile number and chose alerts by SMS (besides the inbox and e-mail)."""
        email = next((email for label, email, *_rest in login_rows(self.region) if label == ADVISER_LABEL), None)
        if email is None:
            return
        adviser = User.objects.get(email=email)
        if adviser.phone != ADVISER_PHONE:
            adviser.phone = ADVISER_PHONE
            adviser.save(update_fields=["phone"])
        ChannelPreference.objects.get_or_create(
            user=adviser, channel=Notification.Channel.SMS, defaults={"enabled": True}
        )

    def load_background(self):
        """The background population (`pathways.management.demo_population`): a few thousand fictional people in 3
        basins, written in bulk beside the stories above, so that every dashboard shows plausible figures."""
        # Imported here: it builds on the regional generator, which imports this module's names.
        from pathways.management.demo_population import seed_background

        return seed_background(
            region=self.region,
            today=self.today,
            password=User.objects.get(email=ADMIN_EMAIL).password,  # the one hash every demo account shares
            domain=f"fictif.{DEMO_DOMAIN}",
            people=self.background_people,
            stdout=self.stdout,
        )

    def printed_organisations(self):
        """The organisations of the printed logins but the Région's (where the legal representative may sign)."""
        emails = [email for _label, email, *_rest in login_rows(self.region)]
        return Organisation.objects.filter(memberships__user__email__in=emails).exclude(name=FUNDER).distinct()

    # Territories, reference data, organisations ----------------------------------------------------------------

    def load_basins(self):
        call_command("import_basins", str(INSEE_EXTRACT), region=REGION_CODE, stdout=self.stdout or StringIO())
        self.region = Region.objects.get(code=REGION_CODE)
        self.basins = {basin.code: basin for basin in Basin.objects.filter(region=self.region)}
        self.communes = {c.code: c for c in Commune.objects.filter(basin__region=self.region).select_related("basin")}
        self.communes_of = {}
        for commune in sorted(self.communes.values(), key=lambda c: c.code):
            self.communes_of.setdefault(commune.basin.code, []).append(commune)

    def load_programmes(self):
        existing = set(Programme.objects.values_list("code", flat=True))
        Programme.objects.bulk_create(
            [
                Programme(
                    code=code,
                    name=name,
                    region=self.region if region else None,
                    max_duration_months=duration,
                    max_suspension_months=suspension,
                )
                for code, (name, region, duration, suspension) in PROGRAMMES.items()
                if code not in existing
            ]
        )
        self.programmes = {p.code: p for p in Programme.objects.filter(code__in=PROGRAMMES)}

    def load_organisations(self):
        existing = set(Organisation.objects.filter(region=self.region).values_list("name", flat=True))
        new = []
        for spec in ORGANISATIONS:
            if spec.name in existing:
                continue
            org = Organisation(
                name=spec.name,
                kind=spec.kind,
                prescriber_kind=spec.prescriber_kind,
                siret=fake_siret(f"organisation:{spec.name}"),
                region=self.region,
                address=self.communes[spec.commune].name,
                phone=fiction_phone(len(new) * 37 + 11, "053649"),
                alert_inbox_email=f"alertes@{spec.slug}.{DEMO_DOMAIN}" if spec.kind in (PR, TB) else "",
            )
            org.full_clean()
            new.append((org, spec))
        Organisation.objects.bulk_create([org for org, _spec in new])
        links = [
            Organisation.basins.through(organisation_id=org.pk, basin_id=self.basins[code].pk)
            for org, spec in new
            for code in spec.basins
        ]
        Organisation.basins.through.objects.bulk_create(links)
        self.orgs = {org.name: org for org in Organisation.objects.filter(region=self.region, name__in=ORG_BY_NAME)}
        if self.region.scheme_organisation_id is None:
            # The Région runs the scheme: it validates charter signatures and grants the regional roles.
            self.region.scheme_organisation = self.orgs[FUNDER]
            self.region.save(update_fields=["scheme_organisation"])

    def load_accounts(self):
        password = make_password(DEMO_PASSWORD)  # hashed once: every demo account shares it
        wanted = []  # (email, org, role, is legal representative, basin)
        for spec in ORGANISATIONS:
            org = self.orgs[spec.name]
            for role, local in ACCOUNTS[spec.kind]:
                basin = self.basins[spec.coordinated_basin] if role == Role.BASIN_COORDINATOR else None
                check_role_fits(organisation=org, role=role, basin=basin)
                wanted.append((f"{local}@{spec.slug}.{DEMO_DOMAIN}", org, role, role == Role.ORG_MANAGER, basin))
        emails = [email for email, *_rest in wanted] + [ADMIN_EMAIL]
        existing = set(User.objects.filter(email__in=emails).values_list("email", flat=True))
        new_users = []
        for email in emails:
            if email in existing:
                continue
            names = random.Random(f"staff:{email}")
            user = User(
                email=email,
                first_name=names.choice(FIRST_NAMES),
                last_name=names.choice(LAST_NAMES),
                password=password,
                language="fr",
            )
            if email == ADMIN_EMAIL:
                user.first_name, user.last_name = "Camille", "Administratrice"
                user.is_staff = user.is_superuser = True
            new_users.append(user)
        User.objects.bulk_create(new_users)
        users = {u.email: u for u in User.objects.filter(email__in=emails)}
        have = set(
            Membership.objects.filter(user__in=users.values()).values_list("user__email", "organisation_id", "role")
        )
        Membership.objects.bulk_create(
            [
                Membership(
                    user=users[email],
                    organisation=org,
                    role=role,
                    is_legal_representative=legal,
                    basin=basin,
                )
                for email, org, role, legal, basin in wanted
                if (email, org.pk, role) not in have
            ]
        )
        for membership in (
            Membership.objects.active()
            .filter(user__in=users.values(), organisation__in=self.orgs.values())
            .select_related("user")
            .order_by("user__email")
        ):
            self.members.setdefault((membership.organisation_id, membership.role), []).append(membership.user)

    def member(self, org, role, index=0):
        users = self.members[(org.pk, role)]
        return users[index % len(users)]

    # Training offer and companies --------------------------------------------------------------------------

    def load_offer(self):
        offer_rng = random.Random("sans-rupture:offre")
        existing = {
            (action.training_body_id, action.title): action
            for action in TrainingAction.objects.filter(training_body__in=self.orgs.values())
        }
        self.track_of, self.sector_of = {}, {}
        new_sessions = []
        for body_name, actions in OFFER.items():
            body = self.orgs[body_name]
            basin = self.basins[ORG_BY_NAME[body_name].basins[0]]
            for title, track, programme, sector in actions:
                shift = offer_rng.randint(-14, 7)
                capacities = [offer_rng.randint(10, 16) for _period in SESSION_PLAN[track]]
                funder = self.orgs[action_funder(programme, sector)]
                action = existing.get((body.pk, title))
                if action is None:
                    action = TrainingAction(
                        training_body=body,
                        title=title,
                        basin=basin,
                        programme=self.programmes[programme],
                        funder=funder,
                    )
                    action.full_clean()
                    action.save()
                    new_sessions += self._sessions(action, track, shift, capacities)
                elif action.funder_id is None:  # demo data loaded before actions had a funder
                    action.funder = funder
                    action.save(update_fields=["funder"])
                self.track_of[action.pk] = track
                self.sector_of[action.pk] = sector
        Session.objects.bulk_create(new_sessions)
        self.sessions = {}  # (track, period) -> [sessions]
        sessions = (
            Session.objects.filter(training_action_id__in=self.track_of)
            .select_related("training_action__training_body", "training_action__programme", "training_action__basin")
            .order_by("training_action_id", "start_date")
        )
        by_action = {}
        for session in sessions:
            by_action.setdefault(session.training_action_id, []).append(session)
        for action_id, runs in by_action.items():
            track = self.track_of[action_id]
            past = [s for s in runs if s.end_date < self.today]
            periods = {
                "past1": past[0] if past else None,
                "past2": past[-1] if past else None,
                "current": next((s for s in runs if s.start_date <= self.today <= s.end_date), None),
                "upcoming": next((s for s in runs if s.start_date > self.today), None),
            }
            for period, session in periods.items():
                if session is not None:
                    self.sessions.setdefault((track, period), []).append(session)
        self.seats.update(
            Enrolment.objects.filter(session__training_action_id__in=self.track_of).values_list("session_id", flat=True)
        )

    def _sessions(self, action, track, shift, capacities):
        runs = []
        appr = track == APPR
        for (start, end), capacity in zip(SESSION_PLAN[track], capacities, strict=True):
            start_date = self.today + datetime.timedelta(days=start + shift)
            start_date -= datetime.timedelta(days=start_date.weekday())  # a Monday
            end_date = weekday_before(self.today + datetime.timedelta(days=end + shift))
            session = Session(
                training_action=action,
                label=f"{'Promotion' if not appr else 'Rentrée'} {start_date:%m/%Y}",
                start_date=start_date,
                end_date=end_date,
                capacity=capacity,
                # apprentices are at the CFA two days a week, in the company the rest of it
                weekdays=Weekday.MONDAY | Weekday.TUESDAY if appr else Session._meta.get_field("weekdays").default,
            )
            session.full_clean()
            runs.append(session)
        return runs

    def load_employers(self):
        existing = {e.name: e for e in Employer.objects.filter(region=self.region)}
        new = []
        for index, company in enumerate(EMPLOYERS):
            if company.name in existing:
                continue
            first, last = company.contact.split(" ", 1)
            employer = Employer(
                name=company.name,
                siret=fake_siret(f"employer:{company.name}"),
                region=self.region,
                commune=self.communes[company.commune],
                contact_name=company.contact,
                contact_email=f"{ascii_slug(first)}.{ascii_slug(last)}@example.org",
                contact_phone=fiction_phone(5000 + index * 53, "053649"),
            )
            employer.full_clean()
            new.append(employer)
        Employer.objects.bulk_create(new)
        self.employers = list(Employer.objects.filter(region=self.region, name__in=[c.name for c in EMPLOYERS]))
        sector = {c.name: c.sector for c in EMPLOYERS}
        self.employers_of = {}
        for employer in sorted(self.employers, key=lambda e: e.name):
            self.employers_of.setdefault(sector[employer.name], []).append(employer)

    def employer(self, sector="", exclude=None):
        pool = self.employers_of.get(sector) or sorted(self.employers, key=lambda e: e.name)
        pool = [e for e in pool if e != exclude] or pool
        return self.rng.choice(pool)

    # Sessions and seats ------------------------------------------------------------------------------------

    def take_seat(self, session):
        self.seats[session.pk] += 1

    def session(self, track, period, *, body=None, basin=None, exclude_body=None):
        """A session of `track` in `period` with a seat left, preferring `body`, then `basin`, then any."""
        candidates = [
            s
            for s in self.sessions.get((track, period), [])
            if self.seats[s.pk] < s.capacity and s.training_action.training_body != exclude_body
        ]
        for keep in (
            lambda s: body is not None and s.training_action.training_body == body,
            lambda s: basin is not None and s.training_action.basin.code == basin,
            lambda s: True,
        ):
            pool = [s for s in candidates if keep(s)]
            if pool:
                weights = [ORG_BY_NAME[s.training_action.training_body.name].weight for s in pool]
                session = self.rng.choices(pool, weights=weights)[0]
                if period == "current":
                    self.current_session = session
                return session
        raise MissingSession(f"{track}/{period}")

    def day(self, offset=0, *, base=None):
        """A weekday `offset` days after `base` (today by default), never after today."""
        day = (base or self.today) + datetime.timedelta(days=offset)
        return weekday_before(min(day, self.today))

    # People ------------------------------------------------------------------------------------------------

    def people_plan(self):
        """The ~200 people, drawn once from fixed lists: (first, last) unique."""
        names = random.Random("sans-rupture:personnes")
        pairs = []
        seen = set()
        while len(pairs) < PEOPLE:
            pair = (names.choice(FIRST_NAMES), names.choice(LAST_NAMES))
            if name_key(*pair) not in seen:
                seen.add(name_key(*pair))
                pairs.append(pair)
        return pairs

    def load_people(self):
        pairs = self.people_plan()
        keys = [name_key(first, last) for first, last in pairs]
        if Beneficiary.objects.filter(region=self.region, name_key__in=keys).exists():
            return  # the demo people are already there: never twice
        self.history = History()
        self.names = iter(pairs)
        self.phones = iter(self.rng.sample(range(10000), PEOPLE))
        self.emails = set()
        self.stories = []
        scenarios = [name for name, count in SCENARIOS for _i in range(count)]
        self.rng.shuffle(scenarios)
        self.demo_trainees = 0
        for scenario in scenarios:
            first, last = next(self.names)
            self.current_session = None  # the session in progress of this story, if any (`prescriber`)
            seats = self.seats.copy()
            try:
                with transaction.atomic():
                    story = getattr(self, f"story_{scenario}")(first, last)
            except MissingSession:
                self.seats = seats
                with transaction.atomic():
                    story = self.story_orientation_now(first, last)
            self.stories.append(story)
        self.load_join_requests()

    def person(self, first, last, *, ages=None, basin=None):
        rng = self.rng
        if ages is None:  # people in training: many young adults, adults of every age
            ages = (18, 25) if rng.random() < 0.45 else (26, 55)
        age = rng.randint(*ages)
        birth = self.today - relativedelta(years=age + 1) + datetime.timedelta(days=rng.randint(1, 364))
        if basin is None or rng.random() < 0.12:  # some live outside the training body's basin
            basin = rng.choices(ALL_BASINS, weights=[12, 3, 2, 2, 2, 1, 1])[0]
        commune = rng.choice(self.communes_of[basin])
        email = ""
        if rng.random() < 0.8:
            email = f"{ascii_slug(first)}.{ascii_slug(last)}@example.org"
            if email in self.emails:
                email = email.replace("@", f"{birth.year % 100:02d}@")
            self.emails.add(email)
        phone = fiction_phone(next(self.phones), "063998") if rng.random() < 0.85 else ""
        identity = {
            "first_name": first,
            "last_name": last,
            "birth_date": birth,
            "email": email,
            "phone": phone,
            "commune": commune,
        }
        return Person(identity=identity, age=age, basin=basin)

    def prescriber(self, person, *, kinds=None):
        """The prescriber of a person, by age and place: Missions Locales for the young, France Travail, PLIE,
        Département and Cap emploi for adults."""
        rng = self.rng
        asked = kinds
        if kinds is None:
            if person.age <= 25:
                kinds = rng.choices([PKind.MISSION_LOCALE, PKind.FRANCE_TRAVAIL, PKind.CAP_EMPLOI], [70, 25, 5])
            else:
                kinds = rng.choices(
                    [PKind.FRANCE_TRAVAIL, PKind.PLIE, PKind.DEPARTEMENT, PKind.CAP_EMPLOI], [55, 15, 22, 8]
                )
        specs = [s for s in ORGANISATIONS if s.kind == PR and s.prescriber_kind in kinds]
        near = [s for s in specs if person.basin in s.basins] or [s for s in specs if BORDEAUX in s.basins]
        org = self.orgs[rng.choice(near).name]
        adviser = self.member(org, Role.PRESCRIBER_ADVISER, rng.randrange(2))
        session = getattr(self, "current_session", None)
        if asked is None and session is not None and session.training_action.training_body.name == DEMO_TRAINING_BODY:
            # Every other person of the printed trainer's sessions under way is prescribed by the printed adviser,
            # so that the README's walk (the trainer declares a rupture, the adviser is alerted) works for several.
            self.demo_trainees += 1
            if self.demo_trainees % 2:
                org = self.orgs[DEMO_PRESCRIBER]
                adviser = self.member(org, Role.PRESCRIBER_ADVISER, DEMO_ADVISER_INDEX)
        return org, adviser

    def open(self, person, on, *, prescriber_kinds=None):
        org, adviser = self.prescriber(person, kinds=prescriber_kinds)
        return Story(
            self, person=person, opened_by=org, referent=adviser, by=adviser, prescriber=org, adviser=adviser, on=on
        )

    def maybe_hand_over(self, story, stage, on, chance=0.15):
        """Some pathways get a trainer or pedagogical manager of the training body as referent (more often
        at INSUP Cenon, whose trainer is the demo's trainer login)."""
        body = stage.organisation
        if body.name == "INSUP Cenon":
            chance = 0.5
        if self.rng.random() < chance:
            role = Role.TRAINER if self.rng.random() < 0.7 else Role.PEDAGOGICAL_MANAGER
            story.hand_over(self.member(body, role), on)

    def employer_for(self, session, exclude=None):
        """A company of the trade the session's training action leads to."""
        return self.employer(self.sector_of.get(session.training_action_id, ""), exclude=exclude)

    # The stories (each returns its Story) -----------------------------------------------------------------

    def story_qual_in_progress(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "current")
        person = self.person(first, last, basin=session.training_action.basin.code)
        late = rng.choice([0, 0, 0, 7, 14])
        start = self.day(late, base=session.start_date)
        if rng.random() < 0.4:
            oriented = self.day(-rng.randint(45, 60), base=session.start_date)
            story = self.open(person, self.day(-rng.randint(3, 15), base=oriented))
            orientation = story.plan(
                SKind.ORIENTATION, story.prescriber, on=oriented, start=oriented, end=oriented + datetime.timedelta(30)
            )
            story.start(orientation, oriented)
            story.exit(orientation, Status.COMPLETED, self.day(rng.randint(20, 30), base=oriented))
        else:
            story = self.open(person, self.day(-rng.randint(15, 40), base=session.start_date))
        planned_on = self.day(-rng.randint(5, 12), base=session.start_date)
        stage = story.plan_in(session, on=planned_on, start=start)
        self.maybe_hand_over(story, stage, planned_on)
        story.start(stage, start)
        return story

    def story_chain_to_employment(self, first, last):
        rng = self.rng
        preq = self.session(PREQ, "past1")
        qual = self.session(
            QUAL, "past1", body=preq.training_action.training_body, basin=preq.training_action.basin.code
        )
        person = self.person(first, last, ages=(19, 45), basin=preq.training_action.basin.code)
        oriented = self.day(-rng.randint(50, 70), base=preq.start_date)
        story = self.open(person, self.day(-rng.randint(3, 10), base=oriented))
        orientation = story.plan(
            SKind.ORIENTATION, story.prescriber, on=oriented, start=oriented, end=oriented + datetime.timedelta(30)
        )
        story.start(orientation, oriented)
        story.exit(orientation, Status.COMPLETED, self.day(rng.randint(21, 30), base=oriented))
        stage = story.plan_in(preq, on=self.day(-10, base=preq.start_date))
        story.start(stage, preq.start_date)
        story.exit(stage, Status.COMPLETED, preq.end_date)
        stage = story.plan_in(qual, on=self.day(-5, base=preq.end_date))
        self.maybe_hand_over(story, stage, self.day(-5, base=preq.end_date))
        story.start(stage, qual.start_date)
        story.exit(stage, Status.COMPLETED, qual.end_date)
        hired = self.day(rng.randint(7, 14), base=qual.end_date)
        job = story.plan(
            SKind.EMPLOYMENT,
            story.prescriber,
            on=self.day(-3, base=hired),
            start=hired,
            employer=self.employer_for(qual),
        )
        story.start(job, hired)
        return story

    def story_chain_closed(self, first, last):
        rng = self.rng
        preq = self.session(PREQ, "past1")
        qual = self.session(
            QUAL, "past1", body=preq.training_action.training_body, basin=preq.training_action.basin.code
        )
        person = self.person(first, last, ages=(20, 50), basin=preq.training_action.basin.code)
        oriented = self.day(-rng.randint(50, 70), base=preq.start_date)
        story = self.open(person, self.day(-rng.randint(3, 10), base=oriented))
        orientation = story.plan(
            SKind.ORIENTATION, story.prescriber, on=oriented, start=oriented, end=oriented + datetime.timedelta(30)
        )
        story.start(orientation, oriented)
        story.exit(orientation, Status.COMPLETED, self.day(rng.randint(21, 30), base=oriented))
        stage = story.plan_in(preq, on=self.day(-10, base=preq.start_date))
        story.start(stage, preq.start_date)
        story.exit(stage, Status.COMPLETED, preq.end_date)
        stage = story.plan_in(qual, on=self.day(-5, base=preq.end_date))
        story.start(stage, qual.start_date)
        left = self.day(-rng.randint(20, 45), base=qual.end_date)
        story.exit(stage, Status.POSITIVE_EXIT, left, destination=Stage.ExitDestination.JOB)
        employer = self.employer_for(qual)
        story.close(
            self.day(rng.randint(5, 12), base=left),
            f"Sortie positive : embauche en CDI chez {employer.name} avant la fin de la formation.",
        )
        return story

    def story_preq_in_progress(self, first, last):
        rng = self.rng
        session = self.session(PREQ, "current")
        person = self.person(first, last, basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        planned_on = self.day(-rng.randint(3, 8), base=session.start_date)
        stage = story.plan_in(session, on=planned_on)
        self.maybe_hand_over(story, stage, planned_on)
        story.start(stage, session.start_date)
        if rng.random() < 0.5:  # the next step is already planned: a chained pathway
            following = self.session(
                QUAL, "upcoming", body=session.training_action.training_body, basin=session.training_action.basin.code
            )
            story.plan_in(following, on=self.day(-rng.randint(1, 20)))
        return story

    def story_preq_done_qual_planned(self, first, last):
        rng = self.rng
        preq = self.session(PREQ, "past2")
        qual = self.session(
            QUAL, "upcoming", body=preq.training_action.training_body, basin=preq.training_action.basin.code
        )
        person = self.person(first, last, basin=preq.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=preq.start_date))
        stage = story.plan_in(preq, on=self.day(-5, base=preq.start_date))
        story.start(stage, preq.start_date)
        story.exit(stage, Status.COMPLETED, preq.end_date)
        following = story.plan_in(qual, on=self.day(-rng.randint(0, 10), base=preq.end_date))
        self.maybe_hand_over(story, following, self.day(-rng.randint(0, 5)))
        return story

    def story_planned_with_immersion(self, first, last):
        rng = self.rng
        qual = self.session(QUAL, "upcoming")
        person = self.person(first, last, basin=qual.training_action.basin.code)
        immersion_start = self.day(-rng.randint(40, 55))
        story = self.open(person, self.day(-rng.randint(7, 20), base=immersion_start))
        immersion = story.plan(
            SKind.IMMERSION,
            story.prescriber,
            on=self.day(-5, base=immersion_start),
            start=immersion_start,
            end=immersion_start + datetime.timedelta(days=11),
            employer=self.employer_for(qual),
        )
        story.start(immersion, immersion_start)
        story.exit(immersion, Status.COMPLETED, self.day(11, base=immersion_start))
        story.plan_in(qual, on=self.day(rng.randint(14, 20), base=immersion_start))
        return story

    def story_planned_only(self, first, last):
        rng = self.rng
        session = self.session(rng.choice([QUAL, QUAL, PREQ]), "upcoming")
        person = self.person(first, last, basin=session.training_action.basin.code)
        opened = self.day(-rng.randint(3, 25))
        story = self.open(person, opened)
        story.plan_in(session, on=opened)
        return story

    def story_suspended(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "current")
        person = self.person(first, last, basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        planned_on = self.day(-5, base=session.start_date)
        stage = story.plan_in(session, on=planned_on)
        self.maybe_hand_over(story, stage, planned_on)
        story.start(stage, session.start_date)
        since = self.day(-rng.randint(4, 45))
        resume_on = since + datetime.timedelta(days=rng.randint(28, 120))
        story.suspend(stage, since, resume_on, rng.choice(SUSPENSION_REASONS))
        return story

    def story_suspended_resumed(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "current")
        person = self.person(first, last, basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        since = self.day(rng.randint(20, 50), base=session.start_date)
        resume_on = since + datetime.timedelta(days=rng.randint(14, 35))
        story.suspend(stage, since, resume_on, rng.choice(SUSPENSION_REASONS))
        story.resume(stage, self.day(0, base=resume_on))
        return story

    def story_abandoned_open(self, first, last):
        rng = self.rng
        track = rng.choice([QUAL, QUAL, PREQ])
        session = self.session(track, "current")
        person = self.person(first, last, ages=(18, 40), basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        left = self.day(-rng.randint(8, 35))
        story.exit(stage, Status.ABANDONED, left, reason=rng.choice(ABANDON_REASONS))
        if rng.random() < 0.5:  # re-orientation by the prescriber
            again = self.day(rng.randint(2, 7), base=left)
            orientation = story.plan(
                SKind.ORIENTATION, story.prescriber, on=again, start=again, end=again + datetime.timedelta(30)
            )
            if rng.random() < 0.6:
                story.start(orientation, again)
        return story

    def story_abandoned_closed(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "past1")
        person = self.person(first, last, ages=(18, 45), basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        since = self.day(rng.randint(40, 70), base=session.start_date)
        story.suspend(stage, since, since + datetime.timedelta(days=30), rng.choice(SUSPENSION_REASONS))
        left = self.day(rng.randint(35, 45), base=since)
        story.exit(stage, Status.ABANDONED, left, reason=ABANDON_REASONS[0])
        story.close(self.day(rng.randint(30, 60), base=left), "Sans nouvelles malgré les relances du prescripteur.")
        return story

    def story_closed_moved(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "past1")
        person = self.person(first, last, basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        left = self.day(rng.randint(60, 100), base=session.start_date)
        story.exit(stage, Status.ABANDONED, left, reason="Déménagement hors de la région.")
        story.close(
            self.day(rng.randint(5, 15), base=left),
            "Déménagement hors de la région : relais pris par France Travail du nouveau domicile.",
        )
        return story

    def story_early_exit(self, first, last):
        rng = self.rng
        if rng.random() < 0.25:  # to another training: pre-qualification, then a qualifying one joined late
            preq = self.session(PREQ, "current")
            qual = self.session(
                QUAL, "current", body=preq.training_action.training_body, basin=preq.training_action.basin.code
            )
            person = self.person(first, last, basin=preq.training_action.basin.code)
            story = self.open(person, self.day(-rng.randint(10, 30), base=preq.start_date))
            stage = story.plan_in(preq, on=self.day(-5, base=preq.start_date))
            story.start(stage, preq.start_date)
            left = self.day(-rng.randint(14, 25))
            story.exit(stage, Status.POSITIVE_EXIT, left, destination=Stage.ExitDestination.TRAINING)
            joined = self.day(3, base=left)
            following = story.plan_in(qual, on=left, start=joined)
            story.start(following, joined)
            return story
        session = self.session(QUAL, "current")
        person = self.person(first, last, basin=session.training_action.basin.code)
        story = self.open(person, self.day(-rng.randint(10, 30), base=session.start_date))
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        left = self.day(-rng.randint(15, 60))
        story.exit(stage, Status.POSITIVE_EXIT, left, destination=Stage.ExitDestination.JOB)
        hired = self.day(rng.randint(1, 3), base=left)
        job = story.plan(
            SKind.EMPLOYMENT,
            story.prescriber,
            on=left,
            start=hired,
            end=hired + datetime.timedelta(days=rng.choice([90, 180])) if rng.random() < 0.5 else None,
            employer=self.employer_for(session),
        )
        story.start(job, hired)
        return story

    def story_cancelled(self, first, last):
        rng = self.rng
        session = self.session(QUAL, "upcoming")
        person = self.person(first, last, basin=session.training_action.basin.code)
        opened = self.day(-rng.randint(30, 50))
        story = self.open(person, opened)
        stage = story.plan_in(session, on=opened)
        cancelled = self.day(-rng.randint(5, 20))
        if rng.random() < 0.5:
            story.exit(
                stage,
                Status.CANCELLED,
                cancelled,
                by=story.manager,
                reason="A trouvé un emploi avant l'entrée en formation.",
            )
            hired = self.day(2, base=cancelled)
            job = story.plan(
                SKind.EMPLOYMENT, story.prescriber, on=cancelled, start=hired, employer=self.employer_for(session)
            )
            story.start(job, hired)
        else:
            story.exit(stage, Status.CANCELLED, cancelled, by=story.manager, reason="Déménagement hors de la région.")
            story.close(self.day(1, base=cancelled), "Déménagement hors de la région.")
        return story

    def _direct(self, person, session, on):
        """A CFA enrols an apprentice directly: no prescriber; a trainer or pedagogical manager is referent."""
        cfa = session.training_action.training_body
        manager = self.member(cfa, Role.PEDAGOGICAL_MANAGER)
        referent = manager if self.rng.random() < 0.5 else self.member(cfa, Role.TRAINER)
        return Story(self, person=person, opened_by=cfa, referent=referent, by=manager, on=on)

    def story_apprentice_direct(self, first, last):
        rng = self.rng
        session = self.session(APPR, "current")
        person = self.person(first, last, ages=(16, 24), basin=session.training_action.basin.code)
        story = self._direct(person, session, self.day(-rng.randint(10, 40), base=session.start_date))
        stage = story.plan_in(
            session, on=self.day(-rng.randint(2, 8), base=session.start_date), employer=self.employer_for(session)
        )
        story.start(stage, session.start_date)
        return story

    def story_apprentice_new_employer(self, first, last):
        rng = self.rng
        session = self.session(APPR, "current")
        person = self.person(first, last, ages=(17, 24), basin=session.training_action.basin.code)
        story = self._direct(person, session, self.day(-rng.randint(10, 40), base=session.start_date))
        first_employer = self.employer_for(session)
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date), employer=first_employer)
        story.start(stage, session.start_date)
        broken = self.day(rng.randint(30, 45), base=session.start_date)
        story.exit(stage, Status.ABANDONED, broken, reason=rng.choice(APPRENTICESHIP_BREAKS))
        restart = self.day(rng.randint(14, 30), base=broken)
        following = story.plan_in(
            session, on=self.day(-3, base=restart), start=restart, employer=self.employer_for(session, first_employer)
        )
        story.start(following, restart)
        return story

    def story_apprentice_completed(self, first, last):
        rng = self.rng
        session = self.session(APPR, "past1")
        person = self.person(first, last, ages=(19, 26), basin=session.training_action.basin.code)
        story = self._direct(person, session, self.day(-rng.randint(10, 40), base=session.start_date))
        employer = self.employer_for(session)
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date), employer=employer)
        story.start(stage, session.start_date)
        story.exit(stage, Status.COMPLETED, session.end_date)
        story.close(
            self.day(rng.randint(3, 10), base=session.end_date),
            f"Diplôme obtenu ; embauche en CDI chez {employer.name}.",
        )
        return story

    def story_apprentice_prescribed(self, first, last):
        rng = self.rng
        session = self.session(APPR, "current")
        person = self.person(first, last, ages=(17, 24), basin=session.training_action.basin.code)
        immersion_start = self.day(-rng.randint(45, 60), base=session.start_date)
        story = self.open(
            person, self.day(-rng.randint(7, 20), base=immersion_start), prescriber_kinds=[PKind.MISSION_LOCALE]
        )
        employer = self.employer_for(session)
        immersion = story.plan(
            SKind.IMMERSION,
            story.prescriber,
            on=self.day(-5, base=immersion_start),
            start=immersion_start,
            end=immersion_start + datetime.timedelta(days=11),
            employer=employer,
        )
        story.start(immersion, immersion_start)
        story.exit(immersion, Status.COMPLETED, self.day(11, base=immersion_start))
        stage = story.plan_in(session, on=self.day(-10, base=session.start_date), employer=employer)
        story.start(stage, session.start_date)
        return story

    def story_apprentice_planned(self, first, last):
        rng = self.rng
        promo = self.session(PROMO, "past1")
        appr = self.session(APPR, "upcoming")
        person = self.person(first, last, ages=(17, 18), basin=appr.training_action.basin.code)
        story = self.open(
            person, self.day(-rng.randint(10, 25), base=promo.start_date), prescriber_kinds=[PKind.MISSION_LOCALE]
        )
        stage = story.plan_in(promo, on=self.day(-5, base=promo.start_date))
        story.start(stage, promo.start_date)
        story.exit(stage, Status.COMPLETED, promo.end_date)
        story.plan_in(appr, on=self.day(-rng.randint(5, 30)), employer=self.employer_for(appr))
        return story

    def story_promo_in_progress(self, first, last):
        rng = self.rng
        session = self.session(PROMO, "current")
        person = self.person(first, last, ages=(16, 17), basin=session.training_action.basin.code)
        story = self.open(
            person, self.day(-rng.randint(10, 25), base=session.start_date), prescriber_kinds=[PKind.MISSION_LOCALE]
        )
        stage = story.plan_in(session, on=self.day(-5, base=session.start_date))
        story.start(stage, session.start_date)
        return story

    def story_immersion_now(self, first, last):
        rng = self.rng
        person = self.person(first, last)
        started = self.day(-rng.randint(1, 7))
        story = self.open(person, self.day(-rng.randint(10, 25), base=started))
        immersion = story.plan(
            SKind.IMMERSION,
            story.prescriber,
            on=self.day(-5, base=started),
            start=started,
            end=started + datetime.timedelta(days=11),
            employer=self.employer(),
        )
        story.start(immersion, started)
        return story

    def story_orientation_now(self, first, last):
        rng = self.rng
        person = self.person(first, last)
        started = self.day(-rng.randint(2, 20))
        story = self.open(person, self.day(-rng.randint(0, 5), base=started))
        orientation = story.plan(
            SKind.ORIENTATION, story.prescriber, on=started, start=started, end=started + datetime.timedelta(30)
        )
        story.start(orientation, started)
        return story

    # Join requests -----------------------------------------------------------------------------------------

    def load_join_requests(self):
        """A few requests from organisations that found a person already followed elsewhere."""
        rng = self.rng
        open_stories = [s for s in self.stories if s.pathway.status == Pathway.Status.OPEN]
        cenon_trainer = self.member(self.orgs["INSUP Cenon"], Role.TRAINER)
        by_trainer = [s for s in open_stories if s.pathway.referent_id == cenon_trainer.pk]
        others = [s for s in open_stories if s.pathway.referent_id != cenon_trainer.pk]
        rng.shuffle(others)
        requests = [
            (
                "Cap emploi Gironde",
                "Personne également accompagnée par Cap emploi (RQTH) : pouvons-nous être associés ?",
            ),
            ("Département de la Gironde, MDS de Cenon", "Bénéficiaire du RSA suivie par notre référente sociale."),
            ("PLIE des Hauts de Garonne", "Inscrite au PLIE depuis le printemps : coordination souhaitée."),
            ("MPS Artigues", "Candidature reçue pour notre prochaine session : s'agit-il de la même personne ?"),
            ("Mission Locale de Bordeaux", "Jeune connu de nos services, déménagé récemment."),
            ("INSUP Ambarès", "Positionnée sur notre pré-qualification logistique."),
            ("Cap emploi Gironde", "Demande d'aménagement de poste en cours."),
            ("France Travail Cenon", "Inscrit chez nous : merci de nous associer pour le suivi."),
        ]
        targets = by_trainer[:2] + others
        decisions = [None, None, None, None, None, None, True, False]  # six pending, one accepted, one refused
        for (org_name, message), decision in zip(requests, decisions, strict=True):
            org = self.orgs[org_name]
            story = next((s for s in targets if not self._involves(s.pathway, org)), None)
            if story is None:
                continue
            targets.remove(story)
            role = Role.PRESCRIBER_ADVISER if org.kind == PR else Role.PEDAGOGICAL_MANAGER
            by = self.member(org, role)
            person = story.pathway.beneficiary
            typed = f"{ascii_slug(person.first_name).replace('-', ' ').title()} {person.last_name.upper()}"
            with set_actor(by):
                request = join_request_create(
                    pathway=story.pathway, organisation=org, by=by, typed_name=typed, message=message
                )
            if decision is not None:
                referent = story.pathway.referent
                with set_actor(referent):
                    join_request_decide(
                        join_request=request,
                        by=referent,
                        accept=decision,
                        comment="" if decision else "Il ne s'agit pas de la même personne.",
                    )

    @staticmethod
    def _involves(pathway, org):
        return (
            org.pk in (pathway.opened_by_id, pathway.prescribing_organisation_id)
            or pathway.stages.filter(organisation=org).exists()
        )
