# Issue 10: the project link now lives on research.Project.publication (research 0002 copied it).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0013_public_item_subject_org"),
        ("research", "0002_project_publication"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="publicitem",
            name="project",
        ),
    ]
