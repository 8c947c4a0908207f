"""Sign-in with ProConnect (accounts/proconnect.py), against a local OpenID provider started by the test.

The provider (`FakeProConnect`) is a small threaded HTTP server on 127.0.0.1 laid out as ProConnect is (everything
under /api/v2/): discovery document, authorize (back to our callback with a code and the state), token (an id_token
signed RS256 with a key made here), jwks, userinfo (a signed JWT, as ProConnect answers) and session/end. The test
client plays the browser; the hop to the provider's authorize page is made with `requests`.
"""

import json
import os
import secrets
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

import jwt
import pytest
import requests
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings as django_settings
from django.contrib.auth import BACKEND_SESSION_KEY, SESSION_KEY
from django.urls import reverse

from accounts import proconnect
from tests.accounts.factories import UserFactory

CLIENT_ID = "sans-rupture-test"
CLIENT_SECRET = "secret-de-test-0123456789"
BACKEND = "accounts.proconnect.ProConnectBackend"


class FakeProConnect:
    """A local OpenID provider. Tests change `email`, `userinfo_extra`, `id_token_extra`, `signing_key`, `nonce`
    or `state` to make it misbehave; `calls` lists the paths it answered."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.signing_key = self.key
        self.kid = "cle-de-test"
        self.email = "lea.roux@example.org"
        self.userinfo_extra = {}
        self.id_token_extra = {}
        self.nonce = None  # None: the one the client sent
        self.state = None  # None: the one the client sent
        self.codes = {}
        self.calls = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/api/v2"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(5)

    def discovery(self):
        return {
            "issuer": self.base,
            "authorization_endpoint": f"{self.base}/authorize",
            "token_endpoint": f"{self.base}/token",
            "userinfo_endpoint": f"{self.base}/userinfo",
            "jwks_uri": f"{self.base}/jwks",
            "end_session_endpoint": f"{self.base}/session/end",
            "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            "userinfo_signing_alg_values_supported": ["RS256", "ES256"],
        }

    def sign(self, claims):
        return jwt.encode(claims, self.signing_key, algorithm="RS256", headers={"kid": self.kid})

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def answer(self, status, body=b"", content_type="application/json", headers=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                url = urlsplit(self.path)
                query = {key: values[0] for key, values in parse_qs(url.query).items()}
                provider.calls.append(url.path)
                if url.path == "/api/v2/.well-known/openid-configuration":
                    self.answer(200, json.dumps(provider.discovery()).encode())
                elif url.path == "/api/v2/authorize":
                    assert query["client_id"] == CLIENT_ID and query["response_type"] == "code"
                    provider.last_authorize = query
                    code = secrets.token_urlsafe(16)
                    provider.codes[code] = query
                    state = provider.state if provider.state is not None else query["state"]
                    back = f"{query['redirect_uri']}?{urlencode({'code': code, 'state': state})}"
                    self.answer(302, headers={"Location": back}, content_type="text/plain")
                elif url.path == "/api/v2/jwks":
                    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(provider.key.public_key(), as_dict=True)
                    jwk.update(kid=provider.kid, alg="RS256", use="sig")
                    self.answer(200, json.dumps({"keys": [jwk]}).encode())
                elif url.path == "/api/v2/userinfo":
                    if self.headers.get("Authorization") != "Bearer jeton-d-acces":
                        self.answer(401)
                        return
                    claims = {
                        "sub": "agent-42",
                        "email": provider.email,
                        "given_name": "Léa",
                        "usual_name": "Roux",
                        "siret": "13002526500013",
                        "uid": "42",
                        "idp_id": "fia1v2",
                        "iss": provider.base,
                        "aud": CLIENT_ID,
                        **provider.userinfo_extra,
                    }
                    self.answer(200, provider.sign(claims).encode(), content_type="application/jwt")
                elif url.path == "/api/v2/session/end":
                    provider.last_logout = query
                    back = f"{query['post_logout_redirect_uri']}?{urlencode({'state': query['state']})}"
                    self.answer(302, headers={"Location": back}, content_type="text/plain")
                else:
                    self.answer(404)

            def do_POST(self):
                url = urlsplit(self.path)
                provider.calls.append(url.path)
                length = int(self.headers.get("Content-Length", 0))
                form = {key: values[0] for key, values in parse_qs(self.rfile.read(length).decode()).items()}
                if url.path != "/api/v2/token":
                    self.answer(404)
                    return
                request = provider.codes.pop(form.get("code"), None)
                if (
                    request is None
                    or form.get("client_secret") != CLIENT_SECRET
                    or form.get("redirect_uri") != request["redirect_uri"]
                ):
                    self.answer(400, b'{"error": "invalid_grant"}')
                    return
                now = int(time.time())
                claims = {
                    "iss": provider.base,
                    "sub": "agent-42",
                    "aud": CLIENT_ID,
                    "iat": now,
                    "exp": now + 60,
                    "auth_time": now - 5,
                    "nonce": provider.nonce if provider.nonce is not None else request["nonce"],
                    "acr": "eidas1",
                    "amr": ["pwd", "mfa"],
                    "idp_id": "fia1v2",
                    **provider.id_token_extra,
                }
                claims = {name: value for name, value in claims.items() if value is not None}  # None: left out
                provider.last_id_token = provider.sign(claims)
                body = {
                    "access_token": "jeton-d-acces",
                    "token_type": "Bearer",
                    "expires_in": 60,
                    "id_token": provider.last_id_token,
                }
                self.answer(200, json.dumps(body).encode())

        return Handler


@pytest.fixture
def provider():
    with FakeProConnect() as fake:
        yield fake


@pytest.fixture
def configured(settings, provider):
    """ProConnect configured from the provider's discovery document, as PROCONNECT_DOMAIN would configure it."""
    document = requests.get(f"{provider.base}/.well-known/openid-configuration", timeout=5).json()
    settings.PROCONNECT_ENABLED = True
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = document["authorization_endpoint"]
    settings.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
    settings.OIDC_OP_USER_ENDPOINT = document["userinfo_endpoint"]
    settings.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
    settings.PROCONNECT_LOGOUT_ENDPOINT = document["end_session_endpoint"]
    settings.PROCONNECT_ISSUER = document["issuer"]
    settings.AUTHENTICATION_BACKENDS = [*django_settings.AUTHENTICATION_BACKENDS, BACKEND]
    return provider


@pytest.fixture
def lea(db):
    return UserFactory(email="lea.roux@example.org")


def sign_in(client, provider, **params):
    """The browser's round trip: our button, the provider's authorize page, back to our callback."""
    response = client.get(reverse("accounts:proconnect_login"), params)
    assert response.status_code == 302 and response.url.startswith(f"{provider.base}/authorize?")
    at_provider = requests.get(response.url, allow_redirects=False, timeout=5)
    assert at_provider.status_code == 302
    back = urlsplit(at_provider.headers["Location"])
    assert back.path == reverse("accounts:proconnect_callback")
    return client.get(f"{back.path}?{back.query}")


def refusal_shown(client, response, reason):
    assert response.status_code == 302 and response.url == reverse("accounts:login")
    page = client.get(response.url).content.decode()
    assert str(proconnect.REFUSALS[reason]).replace("'", "&#x27;") in page
    assert SESSION_KEY not in client.session


def test_a_known_verified_email_logs_in_whatever_its_case(client, configured, lea):
    configured.email = "Lea.Roux@Example.ORG"
    response = sign_in(client, configured)
    assert response.status_code == 302 and response.url == reverse("pathways:home")
    assert client.session[SESSION_KEY] == str(lea.pk)
    assert client.session[BACKEND_SESSION_KEY] == BACKEND
    assert client.get(reverse("pathways:home")).status_code == 200


def test_the_session_records_a_proconnect_login_and_its_amr(client, configured, lea):
    sign_in(client, configured)
    recorded = client.session[proconnect.SESSION_KEY]
    assert recorded["amr"] == ["pwd", "mfa"]
    assert recorded["acr"] == "eidas1"
    assert recorded["idp_id"] == "fia1v2"
    assert isinstance(recorded["auth_time"], int)
    assert client.session[proconnect.ID_TOKEN_SESSION_KEY] == configured.last_id_token


def test_the_request_asks_for_state_nonce_eidas1_and_the_amr_claim(client, configured, lea):
    sign_in(client, configured)
    sent = configured.last_authorize
    assert len(sent["state"]) >= 32 and len(sent["nonce"]) >= 32
    assert sent["scope"].split() == ["openid", "email", "given_name", "usual_name", "siret", "uid", "idp_id"]
    assert sent["acr_values"] == "eidas1"
    assert json.loads(sent["claims"])["id_token"]["amr"] == {"essential": True}
    assert sent["redirect_uri"] == "http://testserver" + reverse("accounts:proconnect_callback")


def test_the_next_page_is_honoured_after_a_proconnect_login(client, configured, lea):
    response = sign_in(client, configured, next=reverse("notifications:inbox"))
    assert response.url == reverse("notifications:inbox")


def test_an_unknown_email_is_refused_and_no_account_is_created(client, configured, lea):
    from accounts.models import User

    configured.email = "inconnue@example.org"
    refusal_shown(client, sign_in(client, configured), "unknown")
    assert not User.objects.filter(email="inconnue@example.org").exists()


def test_an_inactive_user_is_refused(client, configured, lea):
    lea.is_active = False
    lea.save(update_fields=["is_active"])
    refusal_shown(client, sign_in(client, configured), "inactive")


def test_an_email_the_claims_say_is_not_verified_is_refused(client, configured, lea):
    configured.userinfo_extra = {"email_verified": False}
    refusal_shown(client, sign_in(client, configured), "unverified")


def test_an_email_the_claims_say_is_verified_logs_in(client, configured, lea):
    configured.userinfo_extra = {"email_verified": True}
    assert sign_in(client, configured).url == reverse("pathways:home")


def test_a_token_signed_with_another_key_is_refused(client, configured, lea):
    configured.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_wrong_nonce_is_refused(client, configured, lea):
    configured.nonce = "pas-le-bon-nonce"
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_wrong_state_is_refused(client, configured, lea):
    configured.state = "pas-le-bon-etat"
    refusal_shown(client, sign_in(client, configured), "error")
    assert "/api/v2/token" not in configured.calls  # refused before the code is exchanged


def test_an_expired_token_is_refused(client, configured, lea):
    configured.id_token_extra = {"exp": int(time.time()) - 60}
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_token_without_expiry_is_refused(client, configured, lea):
    configured.id_token_extra = {"exp": None}
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_token_for_another_client_is_refused(client, configured, lea):
    configured.id_token_extra = {"aud": "un-autre-service"}
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_token_from_another_issuer_is_refused(client, configured, lea):
    configured.id_token_extra = {"iss": "https://faux-proconnect.example.org/api/v2"}
    refusal_shown(client, sign_in(client, configured), "error")


def test_userinfo_about_someone_else_is_refused(client, configured, lea):
    configured.userinfo_extra = {"sub": "un-autre-agent"}
    refusal_shown(client, sign_in(client, configured), "error")


def test_a_callback_cannot_be_replayed(client, configured, lea):
    response = client.get(reverse("accounts:proconnect_login"))
    back = urlsplit(requests.get(response.url, allow_redirects=False, timeout=5).headers["Location"])
    callback = f"{back.path}?{back.query}"
    assert client.get(callback).url == reverse("pathways:home")
    client.logout()
    refusal_shown(client, client.get(callback), "error")


def test_an_error_from_the_provider_is_refused(client, configured, lea):
    client.get(reverse("accounts:proconnect_login"))
    state = next(iter(client.session["oidc_states"]))
    response = client.get(reverse("accounts:proconnect_callback"), {"error": "access_denied", "state": state})
    refusal_shown(client, response, "error")


def test_a_provider_that_does_not_answer_is_refused(client, configured, lea):
    response = client.get(reverse("accounts:proconnect_login"))
    back = urlsplit(requests.get(response.url, allow_redirects=False, timeout=5).headers["Location"])
    configured.server.shutdown()
    configured.server.server_close()
    refusal_shown(client, client.get(f"{back.path}?{back.query}"), "error")


def test_logout_ends_the_proconnect_session_too(client, configured, lea):
    sign_in(client, configured)
    id_token = client.session[proconnect.ID_TOKEN_SESSION_KEY]
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302 and response.url.startswith(f"{configured.base}/session/end?")
    query = {key: values[0] for key, values in parse_qs(urlsplit(response.url).query).items()}
    assert query["id_token_hint"] == id_token
    assert query["post_logout_redirect_uri"] == "http://testserver" + reverse("accounts:login")
    assert len(query["state"]) >= 24
    assert SESSION_KEY not in client.session
    # The provider ends its session and sends the browser back to our login page.
    back = requests.get(response.url, allow_redirects=False, timeout=5)
    assert urlsplit(back.headers["Location"]).path == reverse("accounts:login")
    assert client.get(reverse("pathways:home")).status_code == 302


def test_logout_after_a_password_login_stays_here(client, configured, lea):
    client.force_login(lea)
    response = client.post(reverse("accounts:logout"))
    assert response.url == reverse("accounts:login")
    assert "/api/v2/session/end" not in configured.calls


def test_password_login_still_works_and_never_calls_the_provider(client, configured, lea):
    response = client.post(reverse("accounts:login"), {"username": lea.email, "password": "motdepasse-de-test"})
    assert response.status_code == 302 and response.url == reverse("pathways:home")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    assert configured.calls == ["/api/v2/.well-known/openid-configuration"]


def test_the_login_page_shows_the_proconnect_button_when_configured(client, configured):
    page = client.get(reverse("accounts:login"), {"next": "/alertes/"}).content.decode()
    assert f'action="{reverse("accounts:proconnect_login")}"' in page
    assert "S'identifier avec</span>" in page and "ProConnect</span>" in page
    assert '<button type="submit" class="proconnect-button">' in page
    assert '<input type="hidden" name="next" value="/alertes/">' in page
    assert "Qu'est-ce que ProConnect ?</a>" in page and 'href="https://www.proconnect.gouv.fr/"' in page


@pytest.mark.parametrize("name", ["accounts:proconnect_login", "accounts:proconnect_callback"])
def test_the_proconnect_urls_answer_only_get(client, configured, name):
    assert client.post(reverse(name)).status_code == 405


def test_when_not_configured_there_is_no_button_and_the_urls_answer_404(client, db, provider):
    assert not django_settings.PROCONNECT_ENABLED
    assert BACKEND not in django_settings.AUTHENTICATION_BACKENDS
    assert "ProConnect" not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(reverse("accounts:proconnect_login")).status_code == 404
    assert client.get(reverse("accounts:proconnect_callback"), {"code": "x", "state": "y"}).status_code == 404
    assert provider.calls == []


def settings_in_a_process(environment, module="config.settings.test"):
    """The settings a fresh process builds from these environment variables (the settings module reads them once)."""
    code = (
        "import json, django; from django.conf import settings; django.setup(); print(json.dumps({name: "
        "getattr(settings, name) for name in ['PROCONNECT_ENABLED', 'OIDC_OP_AUTHORIZATION_ENDPOINT', "
        "'OIDC_OP_TOKEN_ENDPOINT', 'OIDC_OP_USER_ENDPOINT', 'OIDC_OP_JWKS_ENDPOINT', 'PROCONNECT_LOGOUT_ENDPOINT', "
        "'PROCONNECT_ISSUER', 'AUTHENTICATION_BACKENDS', 'OIDC_CREATE_USER', 'OIDC_RP_SIGN_ALGO']} | "
        "{'form_action': settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['form-action']}))"
    )
    env = {key: value for key, value in os.environ.items() if not key.startswith("PROCONNECT_")}
    env.update(environment, DJANGO_SETTINGS_MODULE=module)
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60, cwd=django_settings.BASE_DIR
    )


def test_proconnect_domain_gives_the_endpoints_of_the_providers_discovery_document(provider):
    host = provider.base.removesuffix("/api/v2")
    run = settings_in_a_process(
        {"PROCONNECT_CLIENT_ID": CLIENT_ID, "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET, "PROCONNECT_DOMAIN": host}
    )
    assert run.returncode == 0, run.stderr
    configured = json.loads(run.stdout)
    document = provider.discovery()
    assert configured["PROCONNECT_ENABLED"] is True and configured["OIDC_CREATE_USER"] is False
    assert configured["OIDC_OP_AUTHORIZATION_ENDPOINT"] == document["authorization_endpoint"]
    assert configured["OIDC_OP_TOKEN_ENDPOINT"] == document["token_endpoint"]
    assert configured["OIDC_OP_USER_ENDPOINT"] == document["userinfo_endpoint"]
    assert configured["OIDC_OP_JWKS_ENDPOINT"] == document["jwks_uri"]
    assert configured["PROCONNECT_LOGOUT_ENDPOINT"] == document["end_session_endpoint"]
    assert configured["PROCONNECT_ISSUER"] == document["issuer"]
    assert configured["OIDC_RP_SIGN_ALGO"] == "RS256"
    assert configured["AUTHENTICATION_BACKENDS"][-1] == BACKEND
    assert host in configured["form_action"]  # the button's and the logout's redirects to the provider


def test_a_domain_without_scheme_is_reached_over_https():
    run = settings_in_a_process(
        {"PROCONNECT_CLIENT_ID": CLIENT_ID, "PROCONNECT_CLIENT_SECRET": "s", "PROCONNECT_DOMAIN": "proconnect.example"}
    )
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["OIDC_OP_TOKEN_ENDPOINT"] == "https://proconnect.example/api/v2/token"


def test_a_client_id_without_its_secret_fails_loudly():
    run = settings_in_a_process({"PROCONNECT_CLIENT_ID": CLIENT_ID, "PROCONNECT_DOMAIN": "proconnect.example"})
    assert run.returncode != 0 and "PROCONNECT_CLIENT_SECRET" in run.stderr


def test_production_refuses_a_provider_reached_without_https():
    environment = {
        "PROCONNECT_CLIENT_ID": CLIENT_ID,
        "PROCONNECT_CLIENT_SECRET": CLIENT_SECRET,
        "PROCONNECT_DOMAIN": "http://proconnect.example",
        "SECRET_KEY": "production-test-key-" + "x" * 50,
        "NOTES_ENCRYPTION_SALT": "production-test-salt-0123456789abcdef",
        "DATABASE_URL": "postgres://sans_rupture@127.0.0.1:5432/absente",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SITE_URL": "https://sans-rupture.example.org",
    }
    run = settings_in_a_process(environment, module="config.settings.production")
    assert run.returncode != 0 and "must be https:// addresses" in run.stderr


def test_a_proconnect_sign_in_still_asks_our_second_factor_where_it_is_mandatory(client, configured, lea, settings):
    """ProConnect vouches for the e-mail address, not for our second factor: a regional officer signing in with it
    is sent to set up their app, then (once they have one) asked for its code, before any page."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from pathways.models import Membership
    from tests.conftest import _member
    from tests.pathways.factories import OrganisationFactory

    settings.TWO_FACTOR_ENFORCE_MANDATORY = True
    _member(OrganisationFactory(funder=True), Membership.Role.REGIONAL_OFFICER, user=lea)
    sign_in(client, configured)
    response = client.get(reverse("pathways:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_enrol"))

    client.post(reverse("accounts:logout"))
    TOTPDevice.objects.create(user=lea, name="Téléphone", confirmed=True)
    sign_in(client, configured)
    response = client.get(reverse("pathways:home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:twofactor_verify"))
