"""The admin's app config, apart from the site so INSTALLED_APPS can name it before models load."""

from django.contrib.admin.apps import AdminConfig


class HomecareAdminConfig(AdminConfig):
    default_site = "homecare.accounts.admin_site.HomecareAdminSite"
