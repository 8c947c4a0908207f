"""Project-level middleware that belongs to no app."""

from config.views import healthz


class HealthzMiddleware:
    """Answer the liveness probe before anything reads the request's host.

    The probe comes from inside the container (`http://127.0.0.1:8000/healthz` in docker-compose.yml), so its
    `Host` is not among the `ALLOWED_HOSTS` of a real deployment, which name the public domain: Django would answer
    400 and the orchestrator would restart a healthy web process. Right after `SecurityMiddleware` (which reads no
    host for this path, exempt from the HTTPS redirect, and adds its headers), before anything else; it serves that
    one path and hands every other request on untouched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == "/healthz":
            return healthz(request)
        return self.get_response(request)
