"""Content staff ("Contenido") edit the knowledge base; supervisors ("Supervisión") can look at it."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CONTENT = {
    "article": ("add", "change", "delete", "view"),
    "goldenquestion": ("add", "change", "delete", "view"),
    "revision": ("view",),
    "unansweredquestion": ("change", "view"),
}
SUPERVISION = {model: ("view",) for model in CONTENT}


def _codenames(grants):
    return [f"{action}_{model}" for model, actions in grants.items() for action in actions]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create ours now so we can grant them.
    app_config = apps.get_app_config("knowledge")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, grants in (("Contenido", CONTENT), ("Supervisión", SUPERVISION)):
        group, _ = group_model.objects.get_or_create(name=group_name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="knowledge", codename__in=_codenames(grants)
            )
        )


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group_name, grants in (("Contenido", CONTENT), ("Supervisión", SUPERVISION)):
        group = group_model.objects.filter(name=group_name).first()
        if group:
            group.permissions.remove(
                *permission_model.objects.filter(
                    content_type__app_label="knowledge", codename__in=_codenames(grants)
                )
            )


class Migration(migrations.Migration):
    dependencies = [
        ("knowledge", "0001_initial"),
        ("leads", "0001_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
