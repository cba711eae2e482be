from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0004_production_audit_request_id')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AttemptCounter',
            name='pending',
            field=fields.IntField(default=0, description='attempts admitted, not reported yet'),
        ),
        ops.AddField(
            model_name='AttemptCounter',
            name='pending_until',
            field=fields.DatetimeField(null=True, description='when those count as failures', auto_now=False, auto_now_add=False),
        ),
    ]
