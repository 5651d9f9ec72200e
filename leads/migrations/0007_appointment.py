"""Appointments booked in the chat (issue 15), and the sales roles' right to see and work them."""

import django.db.models.deletion
from django.contrib.auth.management import create_permissions
from django.db import migrations, models

GRANTS = {"Ventas": ["view_appointment", "change_appointment"],
          "Supervisión": ["view_appointment", "change_appointment"]}  # fmt: skip


def grant(apps, schema_editor):
    app_config = apps.get_app_config("leads")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in GRANTS.items():
        group, _ = group_model.objects.get_or_create(name=name)
        found = list(
            permission_model.objects.filter(content_type__app_label="leads", codename__in=codenames)
        )
        if len(found) != len(codenames):
            raise LookupError(f"missing appointment permissions for {name}")
        group.permissions.add(*found)


class Migration(migrations.Migration):

    dependencies = [
        ('conversations', '0002_turn_write_indexes'),
        ('leads', '0006_lead_lost_has_reason'),
        ('auth', '0012_alter_user_first_name_max_length'),
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.CreateModel(
            name='Appointment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('scheduled_at', models.DateTimeField(blank=True, db_index=True, null=True, verbose_name='fecha y hora')),
                ('requested', models.CharField(blank=True, max_length=200, verbose_name='lo que pidió el cliente')),
                ('branch', models.CharField(blank=True, max_length=120, verbose_name='sucursal')),
                ('branch_city', models.CharField(blank=True, max_length=120, verbose_name='ciudad')),
                ('branch_address', models.CharField(blank=True, max_length=250, verbose_name='dirección')),
                ('car_stock_id', models.CharField(blank=True, max_length=32, verbose_name='auto (stock id)')),
                ('car_snapshot', models.JSONField(blank=True, default=dict, verbose_name='auto')),
                ('status', models.CharField(choices=[('solicitada', 'Por confirmar'), ('confirmada', 'Confirmada'), ('realizada', 'Realizada'), ('cancelada', 'Cancelada')], db_index=True, default='solicitada', max_length=12, verbose_name='estado')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='creada')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='actualizada')),
                ('conversation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='appointments', to='conversations.conversation', verbose_name='conversación')),
                ('lead', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='appointments', to='leads.lead', verbose_name='lead')),
            ],
            options={
                'verbose_name': 'cita',
                'verbose_name_plural': 'citas',
                'ordering': ['scheduled_at', 'id'],
                'default_permissions': ('view', 'change'),
                'constraints': [models.UniqueConstraint(condition=models.Q(('status__in', ['solicitada', 'confirmada'])), fields=('lead', 'conversation'), name='appointment_one_open_per_conversation')],
            },
        ),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
