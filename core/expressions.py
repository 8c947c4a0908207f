"""Query expressions shared by every app."""

from django.db import models


class SubqueryCount(models.Subquery):
    """COUNT(*) of a correlated subquery, without GROUP BY tricks (works on SQLite and PostgreSQL)."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _count)"
    output_field = models.IntegerField()
