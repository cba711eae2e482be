from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0005_binding_b_attempt_reservations')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='email_proved_at',
            field=fields.DatetimeField(null=True, description='when the member proved control of email (a code sent to it)', auto_now=False, auto_now_add=False),
        ),
    ]
