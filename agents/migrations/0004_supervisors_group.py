from django.db import migrations

SUPERVISORS_GROUP = "Supervisors"  # agents.roles.SUPERVISORS_GROUP


def create_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.get_or_create(name=SUPERVISORS_GROUP)


class Migration(migrations.Migration):
    dependencies = [
        ("agents", "0003_outbound_files"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(create_group, migrations.RunPython.noop)]
