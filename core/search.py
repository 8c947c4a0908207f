"""Search that ignores accents and case, the same on PostgreSQL and SQLite ("saint-medard" finds
"Saint-Médard-en-Jalles"): `fold` for the words typed, `Folded` for the column searched.

PostgreSQL folds with `TRANSLATE(LOWER(…))` over the accented letters of French and its regional languages (no
extension to install); SQLite calls `fold` itself, registered on each connection (`register_sqlite_functions`).
"""

import re
import unicodedata

from django.db.models import CharField, Func

_LETTERS = {
    "a": "àáâãäåā",
    "c": "çćč",
    "e": "èéêëēėę",
    "i": "ìíîïī",
    "n": "ñń",
    "o": "òóôõöøō",
    "u": "ùúûüū",
    "y": "ýÿ",
    "z": "ž",
    "s": "š",
}
ACCENTED = "".join(_LETTERS.values())
PLAIN = "".join(letter * len(accented) for letter, accented in _LETTERS.items())
LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
_TABLE = str.maketrans(ACCENTED, PLAIN)
SQLITE_FUNCTION = "sr_fold"


def fold(text) -> str:
    """`text` lower-cased, without accents or ligatures."""
    if text is None:
        return None
    decomposed = unicodedata.normalize("NFKD", str(text).lower())
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_TABLE)
    for ligature, letters in LIGATURES.items():
        plain = plain.replace(ligature, letters)
    return plain


def search_words(text: str, *, max_words: int = 6, max_length: int = 100) -> list[str]:
    """The words of a search typed by a user, folded: "Saint-Médard" → ["saint", "medard"]."""
    return re.findall(r"\w+", fold((text or "")[:max_length]))[:max_words]


class Folded(Func):
    """The folded value of a text column, to compare with `fold`ed words (`__contains`, `__startswith`)."""

    output_field = CharField()

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        folded = f"TRANSLATE(LOWER({sql}), %s, %s)"
        params = [*params, ACCENTED, PLAIN]
        for ligature, letters in LIGATURES.items():
            folded = f"REPLACE({folded}, %s, %s)"
            params += [ligature, letters]
        return folded, params

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"{SQLITE_FUNCTION}({sql})", params


def register_sqlite_functions(sender, connection, **kwargs):
    """`connection_created` receiver: gives SQLite the folding function (PostgreSQL needs none)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_FUNCTION, 1, fold, deterministic=True)
