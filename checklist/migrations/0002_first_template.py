"""The first version of the pre-entry checklist (seed 000, ANTICIPATION): three sections, the points to check with
the person before the stage starts. Items are data: the administrator makes a new version to change them."""

from django.db import migrations
from django.utils import timezone

# (section code, French title, English title, [(item code, French label, English label, sensitive)])
SECTIONS = [
    (
        "administrative",
        "Situation administrative",
        "Administrative situation",
        [
            ("identity_document", "Pièce d'identité valide", "Valid identity document", False),
            (
                "residence_permit",
                "Titre de séjour valable pendant toute la formation",
                "Residence permit valid throughout the training",
                False,
            ),
            ("social_security", "Couverture sociale (sécurité sociale)", "Social-security cover", False),
            ("france_travail", "Inscription à France Travail", "Registration with France Travail", False),
            (
                "remuneration",
                "Rémunération de stagiaire ou financement organisé",
                "Trainee remuneration or funding arranged",
                False,
            ),
            ("benefits", "Effet sur le RSA et les aides connu", "Impact on RSA and benefits known", False),
        ],
    ),
    (
        "life",
        "Situation de vie",
        "Life situation",
        [
            ("housing", "Logement stable", "Stable housing", False),
            (
                "transport",
                "Transport jusqu'au lieu de formation et durée du trajet",
                "Transport to the training site and travel time",
                False,
            ),
            ("driving_licence", "Permis de conduire si nécessaire", "Driving licence if needed", False),
            ("childcare", "Garde d'enfants", "Childcare", False),
            ("health", "Contraintes de santé compatibles", "Health constraints compatible", True),
            ("budget", "Budget pour la période de formation", "Budget for the training period", False),
            ("digital", "Accès au numérique (équipement, connexion)", "Digital access (equipment, connection)", False),
        ],
    ),
    (
        "project",
        "Projet",
        "Project",
        [
            ("project_validated", "Projet validé avec le prescripteur", "Project validated with the prescriber", False),
            (
                "immersion",
                "Immersion en entreprise (PMSMP) réalisée ou prévue",
                "Company immersion (PMSMP) done or planned",
                False,
            ),
            (
                "content_schedule",
                "Contenu et horaires de la formation connus et compatibles",
                "Training content and schedule known and compatible",
                False,
            ),
        ],
    ),
]


def create_first_template(apps, schema_editor):
    Template = apps.get_model("checklist", "ChecklistTemplate")
    Section = apps.get_model("checklist", "ChecklistSection")
    Item = apps.get_model("checklist", "ChecklistItem")
    if Template.objects.filter(version=1).exists():
        return
    template = Template.objects.create(
        version=1,
        title_fr="Check-list de sécurisation des parcours",
        title_en="Pathway securing checklist",
        published_at=timezone.now(),
    )
    for position, (code, title_fr, title_en, items) in enumerate(SECTIONS, start=1):
        section = Section.objects.create(
            template=template, position=position, code=code, title_fr=title_fr, title_en=title_en
        )
        Item.objects.bulk_create(
            Item(section=section, position=rank, code=item, label_fr=fr, label_en=en, sensitive=sensitive)
            for rank, (item, fr, en, sensitive) in enumerate(items, start=1)
        )


class Migration(migrations.Migration):
    dependencies = [("checklist", "0001_initial")]

    operations = [migrations.RunPython(create_first_template, migrations.RunPython.noop)]
