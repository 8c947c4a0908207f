import time

from django.core.management.base import BaseCommand, CommandError

from dashboards.rollups import rebuild
from pathways.models import Region


class Command(BaseCommand):
    help = (
        "Reconstruit de zéro les tables des tableaux de bord (faits par étape et par alerte, agrégats mensuels et "
        "quotidiens), pour toutes les régions ou une seule. Le même travail tourne chaque nuit."
    )

    def add_arguments(self, parser):
        parser.add_argument("--region", help="Code INSEE de la région (toutes si absent).")

    def handle(self, *args, region=None, **options):
        target = None
        if region:
            target = Region.objects.filter(code=region).first()
            if target is None:
                raise CommandError(f"Aucune région de code {region!r}.")
        started = time.monotonic()
        facts = rebuild(target)
        where = f"région {target.code}" if target else "toutes les régions"
        self.stdout.write(
            f"Tableaux de bord reconstruits ({where}) : {facts} étapes en {time.monotonic() - started:.1f} s"
        )
