"""Grant the catalogue permissions to the staff groups created by leads.0001_staff_groups.

Contenido maintains the catalogue (cars, reference table, aliases, imports); Ventas and
Supervisión read it.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GRANTS = {
    "Contenido": [
        "add_car", "change_car", "view_car",
        "add_carmodelreference", "change_carmodelreference", "delete_carmodelreference",
        "view_carmodelreference",
        "add_catalogalias", "change_catalogalias", "delete_catalogalias", "view_catalogalias",
        "view_catalogimport",
    ],
    "Ventas": ["view_car", "view_carmodelreference", "view_catalogalias"],
    "Supervisión": [
        "view_car", "view_carmodelreference", "view_catalogalias", "view_catalogimport",
    ],
}  # fmt: skip


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create them now.
    app_config = apps.get_app_config("catalog")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        group.permissions.add(
            *permission_model.objects.filter(
                content_type__app_label="catalog", codename__in=codenames
            )
        )


def revoke(apps, schema_editor):
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for group in group_model.objects.filter(name__in=GRANTS):
        group.permissions.remove(
            *permission_model.objects.filter(content_type__app_label="catalog")
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_seed_references_and_aliases"),
        ("leads", "0001_staff_groups"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
