"""Phone numbers are stored in E.164 (`pathways.validators.normalize_phone`): the 10-digit national numbers saved
before are converted, overseas ones to their own country code ("0692 12 34 56" → "+262692123456")."""

import phonenumbers
from django.db import migrations, models

NATIONAL_REGIONS = ("FR", "RE", "YT", "GP", "MQ", "GF", "PM", "BL", "MF", "NC", "PF", "WF")
FICTION_RANGES = ("+3319900", "+3326191", "+3335320", "+3346571", "+3353649", "+3363998")

# (app, model, field) of every stored phone number.
PHONE_FIELDS = [
    ("pathways", "Beneficiary", "phone"),
    ("pathways", "Organisation", "phone"),
    ("pathways", "Employer", "contact_phone"),
    ("accounts", "User", "phone"),
]


def e164(value: str) -> str:
    """The rule of `normalize_phone` when this migration was written; a number it cannot read is kept as it is."""
    if not value or value.startswith("+"):
        return value
    for region in NATIONAL_REGIONS:
        try:
            number = phonenumbers.parse(value, region)
        except phonenumbers.NumberParseException:
            return value
        converted = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
        if phonenumbers.is_valid_number(number) or (len(converted) == 12 and converted.startswith(FICTION_RANGES)):
            return converted
    return value


def forwards(apps, schema_editor):
    for app_label, model_name, field in PHONE_FIELDS:
        model = apps.get_model(app_label, model_name)
        changed = []
        for obj in model.objects.exclude(**{field: ""}).exclude(**{f"{field}__startswith": "+"}).only("pk", field):
            value = getattr(obj, field)
            converted = e164(value)
            if converted != value:
                setattr(obj, field, converted)
                changed.append(obj)
        model.objects.bulk_update(changed, [field], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0009_session_hours_default_callables"),
        ("accounts", "0003_accesslog_duplicate_check"),
    ]

    operations = [
        migrations.AlterField(
            model_name="beneficiary",
            name="phone",
            field=models.CharField(
                blank=True, help_text="Au format international (E.164).", max_length=16, verbose_name="téléphone"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
