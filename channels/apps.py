from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Canales"

    def ready(self) -> None:
        from channels import checks, wiring  # noqa: F401 - register checks and setting hooks
