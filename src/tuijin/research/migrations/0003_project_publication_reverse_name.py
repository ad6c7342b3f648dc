# Issue 10: item.project leads from a 群众评 item back to its project (state only: no SQL).

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("rectification", "0014_remove_public_item_project"),
        ("research", "0002_project_publication"),
    ]

    operations = [
        migrations.AlterField(
            model_name="project",
            name="publication",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="project",
                to="rectification.publicitem",
                verbose_name="群众评价公示",
            ),
        ),
    ]
