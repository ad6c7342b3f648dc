# Issue 10: the link between a 办实事 project and its 群众评 item lives here, in the higher app
# (it was rectification.PublicItem.project, removed by rectification 0014).

import django.db.models.deletion
from django.db import migrations, models


def link_publications(apps, schema_editor):
    PublicItem = apps.get_model("rectification", "PublicItem")
    Project = apps.get_model("research", "Project")
    for item_id, project_id in PublicItem.objects.filter(project__isnull=False).values_list("pk", "project_id"):
        Project.objects.filter(pk=project_id).update(publication_id=item_id)


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0013_public_item_subject_org"),
        ("research", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="historicalproject",
            name="publication",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="rectification.publicitem",
                verbose_name="群众评价公示",
            ),
        ),
        migrations.AddField(
            model_name="project",
            name="publication",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="rectification.publicitem",
                verbose_name="群众评价公示",
            ),
        ),
        migrations.RunPython(link_publications, migrations.RunPython.noop),
    ]
