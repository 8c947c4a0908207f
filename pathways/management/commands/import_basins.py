"""Import INSEE's employment zones ("zones d'emploi 2020", ZE2020) as regions, basins and communes.

The INSEE file
--------------
INSEE publishes the commune → zone table on https://www.insee.fr/fr/information/4652957 as a zip,
``ZE2020_au_01-01-AAAA.zip`` (AAAA: the year of the communes' geography, one file a year), holding one
workbook ``ZE2020_au_01-01-AAAA.xlsx`` with four sheets:

- ``ZE2020``: the zones, columns ZE2020, LIBZE2020, NB_COM;
- ``Composition_communale``: one row per commune, columns CODGEO (commune code), LIBGEO (commune name),
  ZE2020 (zone code), LIBZE2020 (zone name), ZE2020_PARTIE_REG, DEP (department), REG (region);
- ``Variables`` and ``Documentation``.

Each sheet opens with four title rows (title; subtitle; "Mise en ligne le … Géographie au …";
"@Insee Source(s) : …"), then a row of French labels (row 5), then the header row of variable names
(row 6); data start on row 7. Every code is a text cell, so leading zeros survive ("01001", "0051", "2A004").

A ZE2020 code has four characters, the region code then a number ("7505" Bordeaux), except for the
zones that cross a regional border: their code starts with "00" ("0063" Ussel, in Nouvelle-Aquitaine
and Auvergne-Rhône-Alpes). For their communes only, ZE2020_PARTIE_REG holds the code of the zone's
regional part, "<ZE2020>-<REG>" ("0063-75"); it is empty everywhere else.

How it maps
-----------
- ``Region``: REG, named from ``REGION_NAMES`` (official names of the 18 regions).
- ``Basin``: one per zone, or one per regional part of a cross-region zone, since a basin belongs to one
  region. Code: ZE2020 ("7505"), or for a regional part its ZE2020_PARTIE_REG code as INSEE writes it
  ("0063-75"); name: LIBZE2020.
- ``Commune``: CODGEO, LIBGEO, DEP and its basin. A commune whose zone changed moves to its new basin.
  Nothing is deleted (people and sessions point at communes and basins).

The same table is also read as CSV (``;`` or ``,``; UTF-8 with or without BOM, else Latin-1; title rows
allowed above the header row) and inside the zip as downloaded. The whole file is checked before anything
is written, in one transaction, with bulk queries: the ~35,000 communes of France take about 180 queries
and 4 seconds on SQLite the first time, 40 queries when nothing changed.
"""

import csv
import io
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from pathways.models import Basin, Commune, Region

# Official names of the 18 regions (INSEE, Code officiel géographique), by INSEE region code.
REGION_NAMES = {
    "01": "Guadeloupe",
    "02": "Martinique",
    "03": "Guyane",
    "04": "La Réunion",
    "06": "Mayotte",
    "11": "Île-de-France",
    "24": "Centre-Val de Loire",
    "27": "Bourgogne-Franche-Comté",
    "28": "Normandie",
    "32": "Hauts-de-France",
    "44": "Grand Est",
    "52": "Pays de la Loire",
    "53": "Bretagne",
    "75": "Nouvelle-Aquitaine",
    "76": "Occitanie",
    "84": "Auvergne-Rhône-Alpes",
    "93": "Provence-Alpes-Côte d'Azur",
    "94": "Corse",
}

REQUIRED_COLUMNS = ("CODGEO", "LIBGEO", "ZE2020", "LIBZE2020", "DEP", "REG")
PART_COLUMN = "ZE2020_PARTIE_REG"  # optional: a file without it may not hold cross-region zones
HEADER_MARKERS = {"CODGEO", "ZE2020"}  # a row holding both is the header row
HEADER_SCAN_ROWS = 30
CSV_DELIMITERS = (";", ",", "\t")
BATCH_SIZE = 1000
MAX_REPORTED_ERRORS = 20


@dataclass(frozen=True)
class Row:
    line: int
    commune_code: str
    commune_name: str
    zone_code: str
    zone_name: str
    part_code: str
    department: str
    region_code: str

    @property
    def basin_code(self):
        return self.part_code or self.zone_code


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changed_fields: Counter = field(default_factory=Counter)  # field name -> rows where it changed


@dataclass
class Table:
    header: dict  # column name -> index
    rows: list  # (line number, list of cell values)
    sheet: str = ""


class Command(BaseCommand):
    @property
    def help(self):  # translated when the parser is built (argparse needs a str, not a lazy string)
        return _(
            "Importe le zonage en zones d'emploi 2020 de l'Insee (fichier ZE2020_au_01-01-AAAA en .xlsx, "
            ".zip ou .csv) : régions, bassins d'emploi et communes."
        )

    def add_arguments(self, parser):
        parser.add_argument("file", help=_("Fichier Insee : .xlsx, .zip (tel que téléchargé) ou .csv."))
        parser.add_argument(
            "--region", help=_("N'importer que les communes de cette région (code Insee, par exemple 75).")
        )
        parser.add_argument(
            "--dry-run", action="store_true", help=_("Tout vérifier et compter, sans rien enregistrer.")
        )

    def handle(self, *args, file, region=None, dry_run=False, **options):
        path = Path(file)
        region_code = self._region_option(region)
        table = read_table(path)
        rows = parse_rows(table)
        if not rows:
            raise CommandError(_("Le fichier %(file)s ne contient aucune commune.") % {"file": path.name})
        if region_code:
            rows = [row for row in rows if row.region_code == region_code]
            if not rows:
                raise CommandError(
                    _("Aucune commune de la région %(region)s (%(name)s) dans le fichier %(file)s.")
                    % {"region": region_code, "name": REGION_NAMES[region_code], "file": path.name}
                )

        with transaction.atomic():
            regions, region_counts = sync_regions(rows)
            basins, basin_counts = sync_basins(rows, regions)
            commune_counts, moved = sync_communes(rows, basins)
            if dry_run:
                transaction.set_rollback(True)

        self._report(path, table, rows, region_code, region_counts, basin_counts, commune_counts, moved, dry_run)

    def _region_option(self, region):
        if region is None:
            return None
        code = normalize_code(region.strip(), 2)
        if code not in REGION_NAMES:
            raise CommandError(
                _("Code région inconnu : « %(code)s ». Codes possibles : %(codes)s.")
                % {"code": region, "codes": ", ".join(REGION_NAMES)}
            )
        return code

    def _report(self, path, table, rows, region_code, regions, basins, communes, moved, dry_run):
        where = _(" (feuille « %(sheet)s »)") % {"sheet": table.sheet} if table.sheet else ""
        if region_code:
            self.stdout.write(
                _("%(count)d communes de la région %(region)s lues dans %(file)s%(where)s.")
                % {"count": len(rows), "region": region_code, "file": path.name, "where": where}
            )
        else:
            self.stdout.write(
                _("%(count)d communes lues dans %(file)s%(where)s.")
                % {"count": len(rows), "file": path.name, "where": where}
            )
        self.stdout.write(
            _("Régions : %(created)d créée(s), %(updated)d mise(s) à jour, %(unchanged)d inchangée(s).") % vars(regions)
        )
        self.stdout.write(
            _("Bassins d'emploi : %(created)d créé(s), %(updated)d mis à jour, %(unchanged)d inchangé(s).")
            % vars(basins)
        )
        self.stdout.write(
            _("Communes : %(created)d créée(s), %(updated)d mise(s) à jour, %(unchanged)d inchangée(s).")
            % vars(communes)
        )
        if moved:
            self.stdout.write(_("Dont %(count)d commune(s) changée(s) de bassin d'emploi.") % {"count": moved})
        if dry_run:
            self.stdout.write(self.style.WARNING(_("Simulation (--dry-run) : rien n'a été enregistré.")))
        else:
            self.stdout.write(self.style.SUCCESS(_("Import terminé.")))


# ----------------------------------------------------------------------------------------------------------
# Reading


def read_table(path):
    """The rows of the commune table of `path`, from its header row on."""
    if not path.is_file():
        raise CommandError(_("Fichier introuvable : %(file)s") % {"file": path})
    suffix = path.suffix.lower()
    try:
        data = path.read_bytes()
    except OSError as error:
        raise CommandError(_("Fichier illisible : %(file)s (%(error)s)") % {"file": path, "error": error}) from error
    if suffix == ".zip":
        data, suffix = _member_of_zip(path, data)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path, data)
    if suffix in (".csv", ".txt"):
        return _read_csv(path, data)
    raise CommandError(
        _("Extension « %(suffix)s » non prise en charge : fournir le fichier de l'Insee en .xlsx, .zip ou .csv.")
        % {"suffix": path.suffix or _("(aucune)")}
    )


def _member_of_zip(path, data):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = [name for name in archive.namelist() if not name.startswith("__MACOSX/")]
            for wanted in (".xlsx", ".csv"):
                matching = [name for name in names if name.lower().endswith(wanted)]
                if matching:
                    return archive.read(matching[0]), wanted
    except zipfile.BadZipFile as error:
        raise CommandError(
            _("Fichier illisible : %(file)s n'est pas une archive zip valide.") % {"file": path.name}
        ) from error
    raise CommandError(_("L'archive %(file)s ne contient ni fichier .xlsx ni fichier .csv.") % {"file": path.name})


def _read_xlsx(path, data):
    # Imported here: only this format needs it, and it is slow to import.
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise CommandError(
            _("Fichier illisible : %(file)s n'est pas un classeur Excel (.xlsx) valide.") % {"file": path.name}
        ) from error
    try:
        for sheet in workbook.worksheets:
            rows = sheet.iter_rows(values_only=True)
            table = _table_from_rows(enumerate(rows, start=1))
            if table is not None:
                table.sheet = sheet.title
                return table
    finally:
        workbook.close()
    raise _no_header_error(path)


def _read_csv(path, data):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    lines = text.splitlines()
    delimiter = _csv_delimiter(lines[:HEADER_SCAN_ROWS])
    if delimiter is None:
        raise _no_header_error(path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        table = _table_from_rows((reader.line_num, row) for row in reader)
    except csv.Error as error:
        raise CommandError(
            _("Fichier illisible : %(file)s, ligne %(line)d (%(error)s).")
            % {"file": path.name, "line": reader.line_num, "error": error}
        ) from error
    if table is None:
        raise _no_header_error(path)
    return table


def _csv_delimiter(lines):
    for line in lines:
        for delimiter in CSV_DELIMITERS:
            cells = next(csv.reader([line], delimiter=delimiter), [])
            if HEADER_MARKERS <= {_column_name(cell) for cell in cells}:
                return delimiter
    return None


def _table_from_rows(numbered_rows):
    """Skip the title rows up to the header row (None if there is none near the top), keep the rest."""
    for index, (_line, cells) in enumerate(numbered_rows):
        if index >= HEADER_SCAN_ROWS:
            return None
        names = [_column_name(cell) for cell in cells]
        if HEADER_MARKERS <= set(names):
            header = {}
            for position, name in enumerate(names):
                header.setdefault(name, position)
            return Table(header=header, rows=[(number, list(row)) for number, row in numbered_rows])
    return None


def _column_name(cell):
    return str(cell).strip().lstrip("\ufeff").strip().upper() if cell is not None else ""


def _no_header_error(path):
    return CommandError(
        _(
            "Ligne d'en-tête introuvable dans %(file)s : aucune des %(count)d premières lignes ne "
            "contient les colonnes CODGEO et ZE2020. Colonnes attendues : %(columns)s."
        )
        % {"file": path.name, "count": HEADER_SCAN_ROWS, "columns": ", ".join(REQUIRED_COLUMNS)}
    )


# ----------------------------------------------------------------------------------------------------------
# Checking


def normalize_code(value, width):
    """A code as text; numbers (from a re-saved spreadsheet) get back their leading zeros."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text.zfill(width) if text.isdigit() else text


def _text(value):
    return "" if value is None else str(value).strip()


def parse_rows(table):
    """Check every row of the table and return them as `Row`s; raise CommandError listing the problems."""
    missing = [column for column in REQUIRED_COLUMNS if column not in table.header]
    if missing:
        raise CommandError(
            _("Colonne(s) manquante(s) : %(columns)s. Colonnes attendues : %(expected)s.")
            % {"columns": ", ".join(missing), "expected": ", ".join((*REQUIRED_COLUMNS, PART_COLUMN))}
        )
    position = table.header
    part_position = position.get(PART_COLUMN)
    max_length = {
        "commune_code": Commune._meta.get_field("code").max_length,
        "commune_name": Commune._meta.get_field("name").max_length,
        "department": Commune._meta.get_field("department").max_length,
        "basin_code": Basin._meta.get_field("code").max_length,
        "zone_name": Basin._meta.get_field("name").max_length,
    }

    def cell(values, index):
        return values[index] if index is not None and index < len(values) else None

    errors, rows, seen = [], [], {}
    for line, values in table.rows:
        if not any(_text(value) for value in values):
            continue  # blank line (INSEE's sheets end with one)
        row = Row(
            line=line,
            commune_code=normalize_code(cell(values, position["CODGEO"]), 5),
            commune_name=_text(cell(values, position["LIBGEO"])),
            zone_code=normalize_code(cell(values, position["ZE2020"]), 4),
            zone_name=_text(cell(values, position["LIBZE2020"])),
            part_code=_text(cell(values, part_position)),
            department=normalize_code(cell(values, position["DEP"]), 2),
            region_code=normalize_code(cell(values, position["REG"]), 2),
        )
        problems = _row_problems(row, max_length)
        if row.commune_code in seen:
            problems.append(
                _("commune %(code)s déjà présente ligne %(first)d")
                % {"code": row.commune_code, "first": seen[row.commune_code]}
            )
        seen.setdefault(row.commune_code, line)
        errors.extend(_("Ligne %(line)d : %(problem)s.") % {"line": line, "problem": p} for p in problems)
        rows.append(row)
    errors.extend(_zone_problems(rows))
    if errors:
        shown = errors[:MAX_REPORTED_ERRORS]
        if len(errors) > MAX_REPORTED_ERRORS:
            shown.append(_("… et %(count)d autre(s) erreur(s).") % {"count": len(errors) - MAX_REPORTED_ERRORS})
        raise CommandError(_("Fichier refusé, rien n'a été importé :") + "\n" + "\n".join(shown))
    return rows


def _row_problems(row, max_length):
    problems = []
    for column, value in (
        ("CODGEO", row.commune_code),
        ("LIBGEO", row.commune_name),
        ("ZE2020", row.zone_code),
        ("LIBZE2020", row.zone_name),
        ("DEP", row.department),
        ("REG", row.region_code),
    ):
        if not value:
            problems.append(_("%(column)s est vide") % {"column": column})
    if problems:
        return problems
    if row.region_code not in REGION_NAMES:
        problems.append(_("code région inconnu « %(code)s »") % {"code": row.region_code})
    if row.part_code and not row.part_code.startswith(row.zone_code):
        problems.append(
            _("%(column)s « %(part)s » n'est pas une partie de la zone %(zone)s")
            % {"column": PART_COLUMN, "part": row.part_code, "zone": row.zone_code}
        )
    for attribute, column in (
        ("commune_code", "CODGEO"),
        ("commune_name", "LIBGEO"),
        ("department", "DEP"),
        ("basin_code", PART_COLUMN if row.part_code else "ZE2020"),
        ("zone_name", "LIBZE2020"),
    ):
        value = getattr(row, attribute)
        if len(value) > max_length[attribute]:
            problems.append(
                _("%(column)s « %(value)s » dépasse %(max)d caractères")
                % {"column": column, "value": value, "max": max_length[attribute]}
            )
    return problems


def _zone_problems(rows):
    """A basin has one name and one region: a zone found in two regions must be split by ZE2020_PARTIE_REG."""
    names, regions = {}, {}
    for row in rows:
        names.setdefault(row.basin_code, set()).add(row.zone_name)
        regions.setdefault(row.basin_code, set()).add(row.region_code)
    problems = []
    for code in sorted(names):
        if len(names[code]) > 1:
            problems.append(
                _("Zone %(code)s : plusieurs libellés (%(names)s).")
                % {"code": code, "names": ", ".join(sorted(names[code]))}
            )
        if len(regions[code]) > 1:
            problems.append(
                _("Zone %(code)s : communes de plusieurs régions (%(regions)s) sans partie régionale (%(column)s).")
                % {"code": code, "regions": ", ".join(sorted(regions[code])), "column": PART_COLUMN}
            )
    return problems


# ----------------------------------------------------------------------------------------------------------
# Writing: a bounded number of queries whatever the number of rows


def _sync(model, wanted, fields):
    """Create or update `model` rows keyed by `code` so they hold `wanted` ({code: {field: value}})."""
    existing = model.objects.in_bulk(list(wanted), field_name="code")
    counts, to_create, to_update = Counts(), [], []
    for code, values in wanted.items():
        obj = existing.get(code)
        if obj is None:
            obj = model(code=code, **values)
            to_create.append(obj)
            existing[code] = obj
            counts.created += 1
        elif changed := [name for name, value in values.items() if getattr(obj, name) != value]:
            for name in changed:
                setattr(obj, name, values[name])
            counts.changed_fields.update(changed)
            to_update.append(obj)
            counts.updated += 1
        else:
            counts.unchanged += 1
    model.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    model.objects.bulk_update(to_update, fields, batch_size=BATCH_SIZE)
    if any(obj.pk is None for obj in to_create):  # a backend that does not return ids from bulk inserts
        existing.update(model.objects.in_bulk([obj.code for obj in to_create], field_name="code"))
    return existing, counts


def sync_regions(rows):
    wanted = {code: {"name": REGION_NAMES[code]} for code in sorted({row.region_code for row in rows})}
    return _sync(Region, wanted, ["name"])


def sync_basins(rows, regions):
    wanted = {
        row.basin_code: {"name": row.zone_name, "region_id": regions[row.region_code].pk}
        for row in sorted(rows, key=lambda row: row.basin_code)
    }
    return _sync(Basin, wanted, ["name", "region"])


def sync_communes(rows, basins):
    wanted = {
        row.commune_code: {
            "name": row.commune_name,
            "department": row.department,
            "basin_id": basins[row.basin_code].pk,
        }
        for row in rows
    }
    _, counts = _sync(Commune, wanted, ["name", "department", "basin"])
    return counts, counts.changed_fields["basin_id"]
