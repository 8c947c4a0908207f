"""Error reports to Sentry, with personal data scrubbed (settings: SENTRY_DSN, SENTRY_ENVIRONMENT, SENTRY_RELEASE).

Off unless SENTRY_DSN is set. sentry-sdk runs with `send_default_pii=False` (no user e-mail, IP address, cookies
nor request body), without local variables in stack frames, and `before_send` scrubs what remains before an event
leaves the process: the request keeps its method and its path (no query string, cookies, headers, body nor
environment), the user only their id, stack frames lose their variables, breadcrumbs and messages their query
strings and data, exception values the row values a database error repeats (`core.logging.scrub`), and the `extra`
data (where the Celery integration puts task arguments) goes.
"""

from core.logging import drop_query_strings, scrub

# Request headers that tell nothing about a person and help to understand an error.
KEPT_HEADERS = {"content-type", "content-length", "accept", "hx-request", "x-forwarded-proto"}


def _scrub_frames(container) -> None:
    for value in (container or {}).get("values", []) or []:
        for frame in (value.get("stacktrace") or {}).get("frames", []) or []:
            frame.pop("vars", None)


def before_send(event: dict, hint: dict | None = None) -> dict:
    """The event without personal data (see the module's docstring). Also used for transactions."""
    request = event.get("request")
    if isinstance(request, dict):
        headers = request.get("headers") or {}
        event["request"] = {
            "method": request.get("method"),
            "url": drop_query_strings(request.get("url") or "").split("?", 1)[0],
            "headers": {key: value for key, value in headers.items() if key.lower() in KEPT_HEADERS},
        }
    user = event.get("user")
    if isinstance(user, dict):
        event["user"] = {"id": user["id"]} if user.get("id") is not None else {}
    _scrub_frames(event.get("exception"))
    _scrub_frames(event.get("threads"))
    for value in (event.get("exception") or {}).get("values", []) or []:
        if isinstance(value.get("value"), str):
            value["value"] = scrub(value["value"])
    event.pop("extra", None)
    if isinstance(event.get("transaction"), str):
        event["transaction"] = drop_query_strings(event["transaction"])
    logentry = event.get("logentry") or event.get("message")
    if isinstance(logentry, dict):
        for key in ("message", "formatted"):
            if isinstance(logentry.get(key), str):
                logentry[key] = scrub(logentry[key])
        logentry.pop("params", None)
    elif isinstance(logentry, str):
        event["message"] = scrub(logentry)
    breadcrumbs = event.get("breadcrumbs")
    crumbs = breadcrumbs.get("values", []) if isinstance(breadcrumbs, dict) else breadcrumbs or []
    for crumb in crumbs:
        crumb.pop("data", None)
        if isinstance(crumb.get("message"), str):
            crumb["message"] = scrub(crumb["message"])
    return event


def init_sentry(env) -> bool:
    """Start sentry-sdk when SENTRY_DSN is set (called by the settings); False when it is not."""
    dsn = env.str("SENTRY_DSN", default="")
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=env.str("SENTRY_ENVIRONMENT", default="production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        before_send=before_send,
        before_send_transaction=before_send,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
    )
    return True
