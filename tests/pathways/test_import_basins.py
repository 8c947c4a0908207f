"""`manage.py import_basins`: INSEE's "zones d'emploi 2020" table into regions, basins and communes.

The committed extract (pathways/data/insee/) holds 66 real communes of ZE2020_au_01-01-2023.xlsx: Bordeaux
Métropole and a few communes of five other zones touching Gironde, plus five communes of Ussel, a zone across
Nouvelle-Aquitaine (75) and Auvergne-Rhône-Alpes (84).
"""

import zipfile
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError

import pathways
from pathways.models import Basin, Commune, Region

DATA_DIR = Path(pathways.__file__).resolve().parent / "data" / "insee"
XLSX = DATA_DIR / "ZE2020_au_01-01-2023_extrait.xlsx"
CSV = DATA_DIR / "ZE2020_au_01-01-2023_extrait.csv"

HEADER = "CODGEO;LIBGEO;ZE2020;LIBZE2020;ZE2020_PARTIE_REG;DEP;REG"
BORDEAUX_METROPOLE = set(
    "33003 33004 33013 33032 33039 33056 33063 33065 33069 33075 33096 33119 33162 33167 33192 33200 "
    "33249 33273 33281 33312 33318 33376 33434 33449 33487 33519 33522 33550".split()
)

pytestmark = pytest.mark.django_db


def run(*args):
    out = StringIO()
    call_command("import_basins", *[str(arg) for arg in args], stdout=out)
    return out.getvalue()


def write_csv(tmp_path, lines, *, name="ze.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def snapshot():
    """Every commune with its name, department, basin and the basin's region."""
    return {
        commune.code: (commune.name, commune.department, commune.basin.code, commune.basin.region.code)
        for commune in Commune.objects.select_related("basin__region")
    }


def totals():
    return Region.objects.count(), Basin.objects.count(), Commune.objects.count()


# ----------------------------------------------------------------------------------------------------------
# The committed extract


def test_importing_the_insee_xlsx_extract_puts_bordeaux_in_its_real_zone():
    output = run(XLSX)

    bordeaux = Commune.objects.select_related("basin__region").get(code="33063")
    assert (bordeaux.name, bordeaux.department) == ("Bordeaux", "33")
    assert (bordeaux.basin.code, bordeaux.basin.name) == ("7505", "Bordeaux")
    assert (bordeaux.basin.region.code, bordeaux.basin.region.name) == ("75", "Nouvelle-Aquitaine")
    assert "66 communes lues dans ZE2020_au_01-01-2023_extrait.xlsx (feuille « Composition_communale »)" in output
    assert "Régions : 2 créée(s)" in output
    assert "Bassins d'emploi : 8 créé(s)" in output
    assert "Communes : 66 créée(s), 0 mise(s) à jour, 0 inchangée(s)." in output


def test_the_extract_holds_the_real_gironde_zones_and_their_communes():
    run(XLSX)

    assert dict(Basin.objects.values_list("code", "name")) == {
        "7504": "Bergerac",
        "7505": "Bordeaux",
        "7513": "La Teste-de-Buch",
        "7514": "Langon",
        "7515": "Lesparre-Médoc",
        "7516": "Libourne",
        "0063-75": "Ussel",
        "0063-84": "Ussel",
    }
    assert set(Commune.objects.filter(basin__code="7505").values_list("code", flat=True)) >= BORDEAUX_METROPOLE
    zones = snapshot()
    assert zones["33119"] == ("Cenon", "33", "7505", "75")
    assert zones["33013"] == ("Artigues-près-Bordeaux", "33", "7505", "75")
    assert zones["33003"] == ("Ambarès-et-Lagrave", "33", "7505", "75")
    assert zones["33243"] == ("Libourne", "33", "7516", "75")
    assert zones["33009"] == ("Arcachon", "33", "7513", "75")
    assert zones["33227"] == ("Langon", "33", "7514", "75")
    assert zones["33240"] == ("Lesparre-Médoc", "33", "7515", "75")
    assert zones["33402"] == ("Sainte-Foy-la-Grande", "33", "7504", "75")
    assert zones["24037"] == ("Bergerac", "24", "7504", "75")


def test_a_zone_across_two_regions_becomes_one_basin_per_regional_part():
    run(XLSX)

    ussel = Commune.objects.select_related("basin__region").get(code="19275")
    mauriac = Commune.objects.select_related("basin__region").get(code="15120")
    assert (ussel.basin.code, ussel.basin.name, ussel.basin.region.name) == (
        "0063-75",
        "Ussel",
        "Nouvelle-Aquitaine",
    )
    assert (mauriac.basin.code, mauriac.basin.name, mauriac.basin.region.name) == (
        "0063-84",
        "Ussel",
        "Auvergne-Rhône-Alpes",
    )


def test_the_csv_extract_holds_the_same_communes_as_the_xlsx():
    run(CSV)
    from_csv = snapshot()

    output = run(XLSX)

    assert len(from_csv) == 66
    assert from_csv["33281"] == ("Mérignac", "33", "7505", "75")
    assert snapshot() == from_csv
    assert "Communes : 0 créée(s), 0 mise(s) à jour, 66 inchangée(s)." in output


def test_importing_twice_changes_nothing_and_duplicates_nothing():
    run(XLSX)
    before = snapshot()
    ids = dict(Commune.objects.values_list("code", "pk"))

    output = run(XLSX)

    assert totals() == (2, 8, 66)
    assert snapshot() == before
    assert dict(Commune.objects.values_list("code", "pk")) == ids
    assert "Régions : 0 créée(s), 0 mise(s) à jour, 2 inchangée(s)." in output
    assert "Bassins d'emploi : 0 créé(s), 0 mis à jour, 8 inchangé(s)." in output
    assert "Communes : 0 créée(s), 0 mise(s) à jour, 66 inchangée(s)." in output


def test_the_zip_as_downloaded_from_insee_is_read(tmp_path):
    archive = tmp_path / "ZE2020_au_01-01-2023.zip"
    with zipfile.ZipFile(archive, "w") as zip_file:
        zip_file.write(XLSX, "ZE2020_au_01-01-2023.xlsx")

    run(archive)

    assert totals() == (2, 8, 66)


# ----------------------------------------------------------------------------------------------------------
# Options


def test_the_region_option_imports_only_that_regions_communes():
    output = run(XLSX, "--region", "75")

    assert list(Region.objects.values_list("code", flat=True)) == ["75"]
    assert Commune.objects.count() == 64
    assert not Commune.objects.filter(code__in=["15120", "15162"]).exists()
    assert Basin.objects.filter(code="0063-75").exists()
    assert not Basin.objects.filter(code="0063-84").exists()
    assert "64 communes de la région 75 lues" in output


def test_a_region_without_any_commune_in_the_file_is_refused_and_nothing_is_written():
    with pytest.raises(CommandError, match="Aucune commune de la région 11 \\(Île-de-France\\)"):
        run(XLSX, "--region", "11")

    assert totals() == (0, 0, 0)


def test_an_unknown_region_code_is_refused():
    with pytest.raises(CommandError, match="Code région inconnu : « 99 »"):
        run(XLSX, "--region", "99")


def test_dry_run_writes_nothing_but_tells_what_it_would_do():
    output = run(XLSX, "--dry-run")

    assert totals() == (0, 0, 0)
    assert "Communes : 66 créée(s)" in output
    assert "Simulation (--dry-run) : rien n'a été enregistré." in output


def test_dry_run_does_not_move_a_commune(tmp_path):
    run(XLSX)
    moved = write_csv(tmp_path, [HEADER, "33119;Cenon;7516;Libourne;;33;75"])

    output = run(moved, "--dry-run")

    assert Commune.objects.get(code="33119").basin.code == "7505"
    assert "Communes : 0 créée(s), 1 mise(s) à jour, 0 inchangée(s)." in output


# ----------------------------------------------------------------------------------------------------------
# Re-imports


def test_a_commune_whose_zone_changed_is_moved_to_its_new_basin(tmp_path):
    run(CSV)
    lines = CSV.read_text(encoding="utf-8").splitlines()
    lines = [line.replace("33119;Cenon;7505;Bordeaux;", "33119;Cenon;7516;Libourne;") for line in lines]
    next_year = write_csv(tmp_path, lines)

    output = run(next_year)

    assert Commune.objects.get(code="33119").basin.code == "7516"
    assert Commune.objects.filter(basin__code="7516").count() == 7
    assert totals() == (2, 8, 66)
    assert "Communes : 0 créée(s), 1 mise(s) à jour, 65 inchangée(s)." in output
    assert "Dont 1 commune(s) changée(s) de bassin d'emploi." in output


def test_a_renamed_zone_and_commune_are_updated_in_place(tmp_path):
    run(CSV)
    basin_id = Basin.objects.get(code="7516").pk
    renamed = write_csv(tmp_path, [HEADER, "33243;Libourne-sur-Isle;7516;Libournais;;33;75"])

    output = run(renamed)

    assert Basin.objects.get(pk=basin_id).name == "Libournais"
    assert Commune.objects.get(code="33243").name == "Libourne-sur-Isle"
    assert "Bassins d'emploi : 0 créé(s), 1 mis à jour, 0 inchangé(s)." in output


# ----------------------------------------------------------------------------------------------------------
# CSV flavours


def test_a_csv_with_a_bom_and_commas_is_read(tmp_path):
    path = write_csv(
        tmp_path,
        [HEADER.replace(";", ","), "33039,Bègles,7505,Bordeaux,,33,75", "33522,Talence,7505,Bordeaux,,33,75"],
        encoding="utf-8-sig",
    )
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")

    run(path)

    assert snapshot() == {"33039": ("Bègles", "33", "7505", "75"), "33522": ("Talence", "33", "7505", "75")}


def test_a_latin1_csv_is_read(tmp_path):
    path = write_csv(tmp_path, [HEADER, "33281;Mérignac;7505;Bordeaux;;33;75"], encoding="latin-1")

    run(path)

    assert Commune.objects.get(code="33281").name == "Mérignac"


def test_title_rows_above_the_header_are_skipped_and_lost_leading_zeros_restored(tmp_path):
    path = write_csv(
        tmp_path,
        [
            "Zones d'emploi 2020",
            "France - Composition communale",
            "",
            HEADER,
            "1016;Arbigny;59;Mâcon;0059-84;1;84",
        ],
    )

    run(path)

    assert snapshot() == {"01016": ("Arbigny", "01", "0059-84", "84")}


# ----------------------------------------------------------------------------------------------------------
# Bad files change nothing


def test_a_csv_missing_a_column_is_refused_naming_it_and_writes_nothing(tmp_path):
    path = write_csv(tmp_path, ["CODGEO;LIBGEO;ZE2020;DEP;REG", "33063;Bordeaux;7505;33;75"])

    with pytest.raises(CommandError, match="Colonne\\(s\\) manquante\\(s\\) : LIBZE2020\\."):
        run(path)

    assert totals() == (0, 0, 0)


def test_an_xlsx_missing_a_column_is_refused_naming_it_and_writes_nothing(tmp_path):
    workbook = openpyxl.load_workbook(XLSX)
    workbook["Composition_communale"].delete_cols(6)  # DEP
    path = tmp_path / "sans_dep.xlsx"
    workbook.save(path)

    with pytest.raises(CommandError, match="Colonne\\(s\\) manquante\\(s\\) : DEP\\."):
        run(path)

    assert totals() == (0, 0, 0)


def test_a_file_with_one_bad_row_changes_nothing(tmp_path):
    run(CSV)
    before = snapshot()
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "33119;Cenon;7516;Libourne;;33;75",
            "33063;Bordeaux;7505;Bordeaux;;33;99",
            "33249;;7505;Bordeaux;;33;75",
        ],
    )

    with pytest.raises(CommandError) as error:
        run(path)

    assert "Ligne 3 : code région inconnu « 99 »." in str(error.value)
    assert "Ligne 4 : LIBGEO est vide." in str(error.value)
    assert snapshot() == before


def test_a_commune_listed_twice_is_refused(tmp_path):
    path = write_csv(tmp_path, [HEADER, "33063;Bordeaux;7505;Bordeaux;;33;75", "33063;Bordeaux;7516;Libourne;;33;75"])

    with pytest.raises(CommandError, match="Ligne 3 : commune 33063 déjà présente ligne 2"):
        run(path)

    assert totals() == (0, 0, 0)


def test_a_zone_in_two_regions_without_its_regional_parts_is_refused(tmp_path):
    path = write_csv(tmp_path, [HEADER, "19275;Ussel;0063;Ussel;;19;75", "15120;Mauriac;0063;Ussel;;15;84"])

    with pytest.raises(CommandError, match="Zone 0063 : communes de plusieurs régions \\(75, 84\\)"):
        run(path)

    assert totals() == (0, 0, 0)


def test_a_file_without_the_insee_header_is_refused(tmp_path):
    path = write_csv(tmp_path, ["code;nom", "33063;Bordeaux"])

    with pytest.raises(CommandError, match="Ligne d'en-tête introuvable"):
        run(path)


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    path = tmp_path / "ZE2020.xlsx"
    path.write_bytes(b"not a workbook")

    with pytest.raises(CommandError, match="n'est pas un classeur Excel"):
        run(path)


def test_an_unknown_extension_is_refused(tmp_path):
    path = tmp_path / "ZE2020.ods"
    path.write_bytes(b"")

    with pytest.raises(CommandError, match="Extension « .ods » non prise en charge"):
        run(path)


def test_a_missing_file_is_refused(tmp_path):
    with pytest.raises(CommandError, match="Fichier introuvable"):
        run(tmp_path / "absent.xlsx")


# ----------------------------------------------------------------------------------------------------------
# Size


def test_a_large_file_is_imported_with_a_bounded_number_of_queries(tmp_path, django_assert_max_num_queries):
    lines = [HEADER]
    for number in range(3000):
        zone = 7501 + number % 30
        lines.append(f"{10000 + number};Commune {number};{zone};Zone {zone};;10;75")
    path = write_csv(tmp_path, lines, name="big.csv")

    with django_assert_max_num_queries(40):
        run(path)

    assert totals() == (1, 30, 3000)


def test_a_failure_while_writing_rolls_back_the_regions_and_basins_already_written(monkeypatch):
    def fail(rows, basins):
        raise DatabaseError("disk full")

    monkeypatch.setattr("pathways.management.commands.import_basins.sync_communes", fail)

    with pytest.raises(DatabaseError):
        run(XLSX)

    assert totals() == (0, 0, 0)
