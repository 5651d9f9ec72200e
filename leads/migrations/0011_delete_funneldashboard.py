"""The funnel dashboard's proxy now lives in ``backoffice`` (``backoffice.0001``): state only, a
proxy has no table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("backoffice", "0001_initial"),
        ("leads", "0010_retention"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="FunnelDashboard")],
            database_operations=[],
        ),
    ]
