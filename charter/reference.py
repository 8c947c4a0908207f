"""The reference text of the charter, as seed 000 gives it: the 10 commitments, verbatim in French, in order, with
an English translation for English readers (the French text is what is signed).

Each region's first version starts from it (`charter.services.version_one_publish`, or the draft of version 1 a
region's scheme organisation prepares); from then on, each region's charter lives its own life.
"""

TITLE_FR = "Charte des bonnes pratiques"
TITLE_EN = "Charter of good practice"
PREAMBLE_FR = (
    "Chaque partenaire impliqué adhère à une charte qui propose un ensemble de « bonnes pratiques » à développer "
    "ou maintenir face à chaque cause potentielle de rupture. Chacun des partenaires de la formation "
    "professionnelle a une part à prendre dans les engagements en faveur de la lutte contre les ruptures de "
    "parcours : Région, prescripteurs et organismes de formation. Ces engagements ne sont pas nécessairement "
    "nouveaux : certains sont déjà mis en œuvre par l'un ou l'autre des partenaires ou intervenants."
)
PREAMBLE_EN = (
    "Each partner involved adheres to a charter setting out good practices to develop or maintain against each "
    "potential cause of a pathway breaking. Every partner of vocational training has a part to play in the "
    "commitments against broken pathways: the Région, prescribers and training bodies. These commitments are not "
    "necessarily new: some are already carried out by one partner or another."
)
# (code, French title, French text verbatim from seed 000, English title, English text)
COMMITMENTS = [
    (
        "fluidite",
        "FLUIDITÉ",
        "alléger la sélectivité à l'entrée en formation en ne pénalisant pas l'OF en cas de rupture si mise en "
        "place du dispositif d'anticipation",
        "FLUIDITY",
        "ease selectivity at entry into training by not penalising the training body for a rupture when the "
        "anticipation device was in place",
    ),
    (
        "anticipation",
        "ANTICIPATION",
        "faire le point des situations administratives des participants avant l'entrée en formation (check-list) "
        "et alerter le prescripteur concerné le cas échéant",
        "ANTICIPATION",
        "review the participants' administrative situations before entry into training (checklist) and alert "
        "the prescriber concerned where needed",
    ),
    (
        "realite",
        "RÉALITÉ",
        "maintenir l’immersion en entreprise au cœur de la définition du projet",
        "REALITY",
        "keep company immersion at the heart of defining the project",
    ),
    (
        "prevention",
        "PRÉVENTION",
        "mettre en place un dispositif de prévention des ruptures intégrant des groupes de parole, des "
        "permanences, une hot-line et un accompagnement en cas de difficulté",
        "PREVENTION",
        "set up a rupture-prevention scheme including speaking groups, drop-in hours, a hotline and support in "
        "case of difficulty",
    ),
    (
        "reversibilite",
        "RÉVERSIBILITÉ",
        "profiter des groupes de parole pour entendre - et s'interroger - sur le service de formation dispensé",
        "REVERSIBILITY",
        "use the speaking groups to hear about - and question - the training service delivered",
    ),
    (
        "reactivite",
        "RÉACTIVITÉ",
        'prévoir une procédure simplifiée de signalement de rupture "en temps réel" (après relances) aux '
        "prescripteurs/financeur",
        "RESPONSIVENESS",
        'provide a simplified procedure to report a rupture "in real time" (after reminders) to the prescribers/funder',
    ),
    (
        "neutralite",
        "NEUTRALITÉ",
        "favoriser la neutralité par une intervention extérieure, offrant l'anonymat du soutien mais nécessitant "
        "une collaboration renforcée avec le formateur",
        "NEUTRALITY",
        "favour neutrality through an outside intervention, offering anonymous support but requiring closer "
        "collaboration with the trainer",
    ),
    (
        "tracabilite",
        "TRAÇABILITÉ",
        "« chaîner » la formation dans l’ensemble du parcours du bénéficiaire",
        "TRACEABILITY",
        "“chain” the training into the beneficiary's whole pathway",
    ),
    (
        "decentration",
        "DÉCENTRATION",
        "créer des passerelles interinstitutionnelles pour placer le formé au centre de son parcours et non les "
        "intervenants & partenaires",
        "DECENTRING",
        "build bridges between institutions to put the trainee, not the practitioners and partners, at the centre "
        "of their pathway",
    ),
    (
        "proximite",
        "PROXIMITÉ",
        "réunir périodiquement les intervenants de chaque bassin de formation au sein d'une commission technique "
        "des parcours de formation, pour traiter les éventuelles difficultés et diffuser l'information",
        "PROXIMITY",
        "periodically bring together the practitioners of each training basin in a technical commission on "
        "training pathways, to deal with any difficulties and share information",
    ),
]

VERSION = {"title_fr": TITLE_FR, "title_en": TITLE_EN, "preamble_fr": PREAMBLE_FR, "preamble_en": PREAMBLE_EN}


def commitments() -> list[dict]:
    """The reference commitments in order, as Commitment fields (without version and position)."""
    return [
        {"code": code, "title_fr": title_fr, "text_fr": text_fr, "title_en": title_en, "text_en": text_en}
        for code, title_fr, text_fr, title_en, text_en in COMMITMENTS
    ]
