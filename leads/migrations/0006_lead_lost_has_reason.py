"""A lost lead must say why (the data migration gave the old ones a placeholder reason)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("leads", "0005_backoffice_data")]

    operations = [
        migrations.AddConstraint(
            model_name="lead",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("status", "perdido"), _negated=True),
                    models.Q(("lost_reason", ""), _negated=True),
                    _connector="OR",
                ),
                name="lead_lost_has_reason",
                violation_error_message="Un lead perdido necesita un motivo de pérdida.",
            ),
        ),
    ]
