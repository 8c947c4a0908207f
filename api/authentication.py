"""`Authorization: Bearer <token>` (docs/api.md). An unknown, revoked or expired token answers 401 with a JSON error
in the request's language (`Accept-Language`, French by default)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from api import tokens


class BearerTokenAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword:
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("En-tête Authorization attendu : « Bearer <jeton> »."))
        try:
            raw = header[1].decode("ascii")
        except UnicodeDecodeError:
            raw = ""
        token = tokens.find(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Jeton inconnu, révoqué ou expiré."))
        return token.user, token

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
