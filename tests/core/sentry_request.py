"""Run by tests/core/test_sentry.py in a process of its own, with SENTRY_DSN set: one request that fails, served by
the real WSGI application (so through sentry-sdk's Django integration), with a person's name and e-mail in its query
string, its referrer and its user agent, and a cookie. Prints the events Sentry would have sent, as JSON.

The person's details are built at run time, so that the source lines Sentry quotes around a frame do not hold them.
"""

import json
from urllib.parse import urlencode
from wsgiref.util import setup_testing_defaults

import django

django.setup()

import sentry_sdk  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from sentry_sdk.transport import Transport  # noqa: E402

import accounts.legal  # noqa: E402

NAME = "Lef" + "èvre"
EMAIL = "ines.lefevre" + "@example.org"
COOKIE = "cookie" + "-secret-42"
events = []


class Capture(Transport):
    """Keeps the events instead of sending them."""

    def capture_envelope(self, envelope):
        events.extend(item.payload.json for item in envelope.items if item.type == "event")


def fail(*args, **kwargs):
    raise ValueError(f"no pathway for /personnes/?{urlencode({'q': NAME})}")


if __name__ == "__main__":
    client = sentry_sdk.get_client()
    client.transport = Capture(client.options)
    accounts.legal.render = fail  # the help page fails
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": "/informations/aide/",
        "QUERY_STRING": urlencode({"q": NAME, "email": EMAIL}),
        "HTTP_HOST": "localhost",
        "HTTP_COOKIE": f"csrftoken={COOKIE}",
        "HTTP_REFERER": f"http://localhost/personnes/?{urlencode({'q': NAME})}",
        "HTTP_USER_AGENT": f"Mozilla/5.0 ({NAME})",
        "REMOTE_ADDR": "10.1.2.3",
    }
    setup_testing_defaults(environ)
    statuses = []
    b"".join(get_wsgi_application()(environ, lambda status, headers, exc_info=None: statuses.append(status)))
    sentry_sdk.flush()
    print(json.dumps({"statuses": statuses, "events": events}, ensure_ascii=False))
