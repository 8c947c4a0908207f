"""No personal data in the logs: query strings never reach a log line or an error report.

People are searched by name (`?q=Dupont`), so a query string may hold a name, an e-mail address or a phone number.
Every log line written by the application goes through `DropQueryStrings` (a filter on the handlers of
`settings.LOGGING`): the request line of the development server (`django.server`), the `django.request` warnings
and anything else that prints a URL keep the path and lose what follows `?`. Tracebacks lose, besides, the values a
database error repeats (PostgreSQL's "Failing row contains (…)" holds the whole row refused, names included).
Error reports built by Django (the debug page, the e-mails to ADMINS) use `PersonalDataExceptionReporter`, which
shows neither the query string, the GET and POST parameters nor those values. gunicorn's access log has its own
format without query string nor referrer (`config/gunicorn.py`), and Sentry its own scrubber (`core/sentry.py`).
"""

import logging
import re

from django.views.debug import ExceptionReporter, SafeExceptionReporterFilter

# A '?' that starts a query string: after a path-like run of characters, up to the next space, quote or '>'.
_QUERY = re.compile(r"(?<=[\w/.\-%])\?[^\s\"'<>]+")
REDACTED = "[…]"


def drop_query_strings(text: str) -> str:
    """`text` with every query string removed: `GET /personnes/?q=Dupont HTTP/1.1` → `GET /personnes/ HTTP/1.1`."""
    return _QUERY.sub("", text)


# PostgreSQL's error details repeat the values refused: the whole row of a NOT NULL or CHECK violation
# ("Failing row contains (12, Inès, Lefèvre, …)."), the key of a unique or foreign-key one ("Key (email)=(…)").
_FAILING_ROW = re.compile(r"(Failing row contains )\(.*$", re.MULTILINE)
_KEY_VALUES = re.compile(r"(Key \(.*?\)=)\(.*?\)(?= already exists| is not present| is still referenced|$)", re.M)


def scrub(text: str) -> str:
    """`text` without query strings nor the row values a database error repeats (`drop_query_strings`)."""
    text = _FAILING_ROW.sub(rf"\1({REDACTED}).", drop_query_strings(text))
    return _KEY_VALUES.sub(rf"\1({REDACTED})", text)


class DropQueryStrings(logging.Filter):
    """A handler filter: the record's message, formatted with its arguments, loses its query strings. The record is
    rewritten in place (message and arguments), so every handler and formatter downstream sees the clean one."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a badly formatted record is left to the handler's own error path
            return True
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        # The traceback is formatted here, once, and scrubbed: an exception's message may repeat a row's values
        # (a database error) or a URL. Formatters print `exc_text` when it is set.
        if record.exc_info and not record.exc_text:
            record.exc_text = scrub(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        # Django's request logs carry the request itself; a formatter or handler printing it would print the query.
        request = getattr(record, "request", None)
        if request is not None and getattr(request, "META", None) is not None and request.META.get("QUERY_STRING"):
            record.request = _WithoutQuery(request)
        return True


class _WithoutQuery:
    """A view of a request without its query string, for the handlers that print `record.request`."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name):
        return getattr(self._request, name)

    def get_full_path(self, force_append_slash=False):
        return self._request.get_full_path(force_append_slash=force_append_slash).split("?", 1)[0]

    def get_full_path_info(self, force_append_slash=False):
        return self._request.get_full_path_info(force_append_slash=force_append_slash).split("?", 1)[0]

    def build_absolute_uri(self, location=None):
        return self._request.build_absolute_uri(location).split("?", 1)[0]

    def __repr__(self):
        return f"<{type(self._request).__name__}: {self._request.method} {self.get_full_path()!r}>"


class PersonalDataExceptionReporterFilter(SafeExceptionReporterFilter):
    """Every POST value and every frame variable's value masked (forms carry names, phones, free text), and the
    query string out of the request's META (`QUERY_STRING`, `REQUEST_URI`, `RAW_URI`, `HTTP_REFERER`)."""

    def get_post_parameters(self, request):
        if request is None:
            return {}
        cleansed = request.POST.copy()
        for key in cleansed:
            cleansed[key] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        """The names of a frame's local variables, never their values (a form, a person, a request…)."""
        return [
            (name, self.cleansed_substitute)
            for name, _value in super().get_traceback_frame_variables(request, tb_frame)
        ]

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        for key in ("QUERY_STRING", "REQUEST_URI", "RAW_URI", "HTTP_REFERER"):
            if meta.get(key):
                meta[key] = drop_query_strings(str(meta[key])) if key != "QUERY_STRING" else self.cleansed_substitute
        return meta


class PersonalDataExceptionReporter(ExceptionReporter):
    """Django's error report (debug page, e-mails to ADMINS) without the GET parameters nor the query string of the
    request's address, and without the values a database error repeats in the exceptions' messages."""

    def get_traceback_data(self):
        data = super().get_traceback_data()
        if data.get("exception_value"):
            data["exception_value"] = scrub(str(data["exception_value"]))
        if self.request is not None:
            data["request_GET_items"] = [(key, REDACTED) for key in self.request.GET]
            if data.get("request_insecure_uri"):
                data["request_insecure_uri"] = drop_query_strings(str(data["request_insecure_uri"]))
        return data

    def get_traceback_frames(self):
        """The frames, each chained exception's message scrubbed ("The above exception (…) was the direct cause")."""
        frames = super().get_traceback_frames()
        for frame in frames:
            if frame.get("exc_cause") is not None:
                frame["exc_cause"] = scrub(str(frame["exc_cause"]))
        return frames
