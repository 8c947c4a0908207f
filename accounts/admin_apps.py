from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    """Django's admin, on a site that lets in only administrators verified with their second factor
    (`accounts.admin_site`)."""

    default_site = "accounts.admin_site.AdminSite"
