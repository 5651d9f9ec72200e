from django.apps import AppConfig


class ChannelsConfig(AppConfig):
    name = "channels"
    verbose_name = "Canales"

    def ready(self) -> None:
        # Celery workers warm up before their pool starts (prefork children inherit it).
        from celery.signals import worker_init

        from channels import checks, wiring  # noqa: F401 - register checks and setting hooks
        from leads.wiring import lead_notifier_install

        # Leads sit below the channels: their notifier port gets its WhatsApp adapter here.
        lead_notifier_install(wiring.lead_notifier)

        worker_init.connect(_warm_up, dispatch_uid="kavak-warm-up")


def _warm_up(**_: object) -> None:
    from conversations.services import conversation_warm_up

    conversation_warm_up()
