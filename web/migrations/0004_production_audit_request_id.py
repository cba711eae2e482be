from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0003_purge_and_worker_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='AuditEvent',
            name='request_id',
            field=fields.CharField(default='', description='as in the log lines', max_length=64),
        ),
    ]
