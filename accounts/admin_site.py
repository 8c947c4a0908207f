from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse

from accounts import twofactor


class AdminSite(admin.AdminSite):
    """The admin is for active staff who gave their second factor in this session (`accounts.twofactor`); only the
    embedded demo, where the second factor is not enforced, lets an unverified administrator in. Logging in goes
    through the application's login and verification pages, never a login form of the admin's own."""

    def has_permission(self, request):
        user = request.user
        if not (user.is_active and user.is_staff):
            return False
        return twofactor.is_verified(user) or not twofactor.is_enforced()

    def login(self, request, extra_context=None):
        next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
        user = request.user
        if user.is_authenticated and not (user.is_active and user.is_staff):
            raise PermissionDenied
        if user.is_authenticated and not self.has_permission(request):
            if twofactor.has_device(user):
                return redirect(f"{reverse('accounts:twofactor_verify')}?{urlencode({'next': next_url})}")
            return redirect(f"{reverse('accounts:twofactor_enrol')}?{urlencode({'next': next_url})}")
        return redirect(f"{reverse('accounts:login')}?{urlencode({'next': next_url})}")
