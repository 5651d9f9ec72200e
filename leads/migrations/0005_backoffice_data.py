"""Back office data: backfill lead activity, give lost leads a reason, and set the final role matrix.

The matrix is a frozen copy of ``leads.roles.ROLE_PERMISSIONS`` at the time of writing (migrations
never import app code); ``tests/integration/backoffice/test_roles.py`` proves they are equal. It
runs after the catalog, knowledge and channels grants and sets each group to exactly this set
(least privilege: it removes Ventas' view of every customer's raw WhatsApp deliveries).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations
from django.db.models import F

CATALOG_READ = ["view_car", "view_carmodelreference", "view_catalogalias"]
MATRIX = {
    "Ventas": {
        "leads": ["view_lead", "change_lead", "view_leadnotification"],
        "conversations": ["view_conversation"],
        "channels": ["view_whatsappconversation", "reply_whatsapp"],
        "catalog": CATALOG_READ,
    },
    "Supervisión": {
        "leads": [
            "view_lead", "change_lead", "view_all_leads", "assign_lead", "export_leads",
            "view_leadnotification", "view_salesagent", "change_salesagent",
            "view_funneldashboard",
        ],
        "conversations": ["view_conversation", "change_conversation"],
        "channels": [
            "view_whatsappconversation", "reply_whatsapp", "view_whatsappinbound",
            "view_whatsappoutbound", "view_whatsappcontact", "view_whatsappstatusevent",
        ],
        "catalog": [*CATALOG_READ, "view_catalogimport"],
        "knowledge": [
            "view_article", "view_goldenquestion", "view_revision", "view_unansweredquestion",
        ],
    },
    "Contenido": {
        "knowledge": [
            "add_article", "change_article", "delete_article", "view_article",
            "add_goldenquestion", "change_goldenquestion", "delete_goldenquestion",
            "view_goldenquestion", "view_revision",
            "change_unansweredquestion", "view_unansweredquestion",
        ],
        "catalog": [
            "add_car", "change_car", "view_car",
            "add_carmodelreference", "change_carmodelreference", "delete_carmodelreference",
            "view_carmodelreference",
            "add_catalogalias", "change_catalogalias", "delete_catalogalias", "view_catalogalias",
            "view_catalogimport",
        ],
    },
}  # fmt: skip


def backfill(apps, schema_editor):
    lead_model = apps.get_model("leads", "Lead")
    lead_model.objects.update(last_activity_at=F("updated_at"))
    lead_model.objects.filter(status="perdido", lost_reason="").update(
        lost_reason="(sin motivo registrado)"
    )


def set_roles(apps, schema_editor):
    # Permissions are normally created after all migrations (post_migrate); create ours now.
    for label in ("leads", "conversations", "channels", "catalog", "knowledge"):
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, grants in MATRIX.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for app_label, codenames in grants.items():
            found = list(
                permission_model.objects.filter(
                    content_type__app_label=app_label, codename__in=codenames
                )
            )
            missing = set(codenames) - {p.codename for p in found}
            if missing:
                raise LookupError(f"missing permissions {app_label}: {sorted(missing)}")
            wanted.extend(found)
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("leads", "0004_backoffice"),
        ("catalog", "0003_staff_permissions"),
        ("knowledge", "0002_content_staff_permissions"),
        ("channels", "0002_staff_permissions"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.RunPython(set_roles, migrations.RunPython.noop),
    ]
