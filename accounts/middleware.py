from django.utils import translation


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
