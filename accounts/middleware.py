from django.utils import translation
from django.utils.cache import add_never_cache_headers


class UserLanguageMiddleware:
    """A logged-in user's pages are in the language saved on their account (set by the language switcher)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class NoStoreForAuthenticatedMiddleware:
    """Every answer to a logged-in user is `Cache-Control: no-store` (with Django's `never_cache` headers): a page
    about people must not stay in a shared proxy, nor in the browser's cache or history for the next person at the
    same computer. Answers to anonymous visitors (the public charter and legal pages, the login page) keep their
    own caching; static files are served before this middleware (WhiteNoise) and stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
