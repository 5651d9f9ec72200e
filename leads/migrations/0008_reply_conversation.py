"""Sales staff answer customers on every channel (issue 17): Ventas and Supervisión may reply to
the web chat and API conversations behind their leads and return them to the bot."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {"Ventas": ["reply_conversation"], "Supervisión": ["reply_conversation"]}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("conversations")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        found = list(
            permission_model.objects.filter(
                content_type__app_label="conversations", codename__in=codenames
            )
        )
        if len(found) != len(codenames):
            raise LookupError(f"missing conversation permissions for {name}")
        group.permissions.add(*found)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0007_appointment"),
        ("conversations", "0003_handoff_staff_messages"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
