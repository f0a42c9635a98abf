"""A "Claim reviewers" group holding what reviewing claims needs, so operators add a person to
one group instead of picking three permissions. Permissions are normally created after all
migrations have run; the ones the group needs are created here if they do not exist yet (the
later pass finds them and leaves them alone). A second run changes nothing."""

from django.db import migrations

GROUP = "Claim reviewers"
PERMISSIONS = [
    ("view_claim", "Can view claim"),
    ("change_claim", "Can change claim"),
    ("verify_record", "Can grant or withdraw staff verification (L4) of a claimed record"),
]


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="claims", model="claim")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for codename, name in PERMISSIONS:
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": name}
        )
        group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("claims", "0003_claim_verify_record_permission"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
