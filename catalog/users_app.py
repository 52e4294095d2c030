"""Wagtail's users app, with the user viewset whose forms leave role groups to the roles screen."""

from wagtail.users.apps import WagtailUsersAppConfig


class CatalogUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "catalog.user_forms.CatalogUserViewSet"
