"""What an import plans for each line of a file, and its errors (line, column, why)."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _


@dataclass
class RowError:
    line: int
    column: str
    value: str
    why: str
    # Where in a file without lines that mean something (a LHÉO file): "formation 2 « ADVF », session 1".
    where: str = ""

    def __str__(self):
        if self.where:
            return _("%(where)s : %(why)s") % {"where": self.where, "why": self.why}
        if self.line and self.column:
            return _("Ligne %(line)s, colonne « %(column)s » : %(why)s") % {
                "line": self.line,
                "column": self.column,
                "why": self.why,
            }
        if self.line:
            return _("Ligne %(line)s : %(why)s") % {"line": self.line, "why": self.why}
        return str(self.why)


@dataclass
class PlanRow:
    line: int
    # What the row will do, in words for the preview ("Nouvelle personne", "Personne déjà suivie").
    action: str = ""
    label: str = ""
    detail: str = ""
    data: dict = field(default_factory=dict)
    errors: list[RowError] = field(default_factory=list)


@dataclass
class Plan:
    rows: list[PlanRow] = field(default_factory=list)
    # Errors of the whole file (a missing column, an unreadable file).
    errors: list[RowError] = field(default_factory=list)
    # People shown in the preview (reused records): they are logged as read.
    people_shown: list = field(default_factory=list)

    @property
    def all_errors(self) -> list[RowError]:
        return self.errors + [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.all_errors


class ImportFailed(Exception):
    """The confirmation found errors (the file changed, or a row failed while writing): nothing was written."""

    def __init__(self, errors: list[RowError]):
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors
