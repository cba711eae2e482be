from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0006_account_email_proved_at')]

    initial = False

    operations = [
        ops.AddField(
            model_name='OutboxMail',
            name='secret',
            field=fields.JSONField(null=True),
        ),
    ]
