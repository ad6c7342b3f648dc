# Issue 10: rectification no longer refers to research. A published 办实事 project's item keeps the org it
# belongs to (subject_org); the link to the project moves to research.Project.publication
# (research 0002), after which the old column goes (0014).

import django.db.models.deletion
from django.db import migrations, models


def fill_subject_org(apps, schema_editor):
    PublicItem = apps.get_model("rectification", "PublicItem")
    for item in PublicItem.objects.filter(project__isnull=False).select_related("project"):
        item.subject_org_id = item.project.org_id
        item.save(update_fields=["subject_org"])


class Migration(migrations.Migration):
    dependencies = [
        ("orgs", "0002_login_throttle"),
        ("rectification", "0012_problem_owner_person"),
        ("research", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="publicitem",
            name="subject_org",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="orgs.org",
                verbose_name="所属组织",
            ),
        ),
        # frees the name `publication` on research.Project for the field research 0002 adds
        migrations.AlterField(
            model_name="publicitem",
            name="project",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="research.project",
            ),
        ),
        migrations.RunPython(fill_subject_org, migrations.RunPython.noop),
    ]
