from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("dashboards", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="stagefact",
            name="interruptions",
            field=models.PositiveSmallIntegerField(default=0),
        ),
    ]
