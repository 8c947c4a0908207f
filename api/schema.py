"""The API's authentication in its OpenAPI schema (imported in `ApiConfig.ready`)."""

from drf_spectacular.extensions import OpenApiAuthenticationExtension


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "api.authentication.BearerTokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "Un jeton `sr_…` créé par la direction de la structure (docs/api.md).",
        }
