from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from accounts import views
from accounts.forms import ChangePasswordForm, LoginForm, NewPasswordForm

app_name = "accounts"

urlpatterns = [
    path(
        "connexion/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=LoginForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    path("deconnexion/", views.LogoutView.as_view(), name="logout"),
    # ProConnect (accounts/proconnect.py): 404 unless configured. The callback's address is registered at ProConnect.
    path("proconnect/connexion/", views.proconnect_login, name="proconnect_login"),
    path("proconnect/retour/", views.proconnect_callback, name="proconnect_callback"),
    path("mot-de-passe/oublie/", views.password_reset, name="password_reset"),
    path(
        "mot-de-passe/oublie/envoye/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            form_class=NewPasswordForm,
            success_url=reverse_lazy("accounts:password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "mot-de-passe/nouveau/termine/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path(
        "mot-de-passe/changer/",
        auth_views.PasswordChangeView.as_view(
            template_name="accounts/password_change_form.html",
            form_class=ChangePasswordForm,
            success_url=reverse_lazy("accounts:password_change_done"),
        ),
        name="password_change",
    ),
    path(
        "mot-de-passe/change/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path("langue/", views.set_language, name="set_language"),
    path("session/prolonger/", views.session_ping, name="session_ping"),
]

# Two-factor authentication (accounts.twofactor)
urlpatterns += [
    path("double-authentification/", views.twofactor_account, name="twofactor"),
    path("double-authentification/verification/", views.twofactor_verify, name="twofactor_verify"),
    path("double-authentification/activation/", views.twofactor_enrol, name="twofactor_enrol"),
    path("double-authentification/codes-de-secours/", views.twofactor_backup_codes, name="twofactor_backup_codes"),
    path(
        "double-authentification/codes-de-secours/nouveaux/",
        views.twofactor_backup_codes_regenerate,
        name="twofactor_backup_codes_regenerate",
    ),
    path("double-authentification/desactiver/", views.twofactor_remove, name="twofactor_remove"),
]
