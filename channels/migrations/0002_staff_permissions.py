"""Sales ("Ventas") read WhatsApp conversations and reply; supervisors ("Supervisión") too, and
both can look at the raw deliveries."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

SALES = {
    "whatsappconversation": ("view", "reply_whatsapp"),
    "whatsappinbound": ("view",),
    "whatsappoutbound": ("view",),
}
SUPERVISION = {
    **SALES,
    "whatsappcontact": ("view",),
    "whatsappstatusevent": ("view",),
}
GRANTS = (("Ventas", SALES), ("Supervisión", SUPERVISION))


def _codenames(grants):
    return [
        action if action.startswith("reply_") else f"{action}_{model}"
        for model, actions in grants.items()
        for action in actions
    ]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now so we can grant them.
    app_config = apps.get_app_config("channels")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS:
        group, _ = group_model.objects.get_or_create(name=group_name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="channels", codename__in=_codenames(grants)
            )
        )


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, grants in GRANTS:
        group = group_model.objects.filter(name=group_name).first()
        if group:
            group.permissions.remove(
                *permission_model.objects.filter(
                    content_type__app_label="channels", codename__in=_codenames(grants)
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("channels", "0001_initial"),
        ("leads", "0001_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
