"""Text stored in both languages (`<field>_fr`, `<field>_en`: a charter's commitments, a checklist's items), read
in the reader's language: the one active for the request (the user's, `accounts.middleware`) or a task."""

from django.utils.translation import get_language


def localized(obj, field: str) -> str:
    """`obj.<field>` in the active language: English when it is active and the text has a translation, else French."""
    if (get_language() or "fr").startswith("en"):
        return getattr(obj, f"{field}_en") or getattr(obj, f"{field}_fr")
    return getattr(obj, f"{field}_fr")
