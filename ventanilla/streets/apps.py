from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StreetsConfig(AppConfig):
    name = "ventanilla.streets"
    label = "streets"
    verbose_name = _("Street directory")
