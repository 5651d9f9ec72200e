"""The funnel dashboard's proxy model moves from ``leads`` to ``backoffice`` (it spans apps).

A proxy has no table, so only the migration state changes (``SeparateDatabaseAndState``). Its
content type is renamed in place, so the permission row ``view_funneldashboard`` keeps its id and
every group or user that held it (Supervisión) still does. ``leads.0011`` removes the old state.
"""

from django.db import migrations

MODEL = "funneldashboard"


def _move_content_type(apps, from_label: str, to_label: str) -> None:
    content_type_model = apps.get_model("contenttypes", "ContentType")
    permission_model = apps.get_model("auth", "Permission")
    old = content_type_model.objects.filter(app_label=from_label, model=MODEL).first()
    if old is None:
        return  # permissions were never created here (post_migrate creates the new ones)
    new = content_type_model.objects.filter(app_label=to_label, model=MODEL).first()
    if new is None:
        old.app_label = to_label
        old.save(update_fields=["app_label"])
        return
    # Both exist (post_migrate ran in between): grants follow the codename, then the old one goes.
    for permission in permission_model.objects.filter(content_type=old):
        target, _ = permission_model.objects.get_or_create(
            content_type=new, codename=permission.codename, defaults={"name": permission.name}
        )
        target.group_set.add(*permission.group_set.all())
        target.user_set.add(*permission.user_set.all())
    old.delete()


def forwards(apps, schema_editor):
    _move_content_type(apps, "leads", "backoffice")


def backwards(apps, schema_editor):
    _move_content_type(apps, "backoffice", "leads")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("conversations", "0006_meta_message_ids"),
        ("leads", "0010_retention"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="FunnelDashboard",
                    fields=[],
                    options={
                        "verbose_name": "tablero del embudo",
                        "verbose_name_plural": "tablero del embudo",
                        "proxy": True,
                        "default_permissions": ("view",),
                        "indexes": [],
                        "constraints": [],
                    },
                    bases=("conversations.conversation",),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(forwards, backwards),
    ]
