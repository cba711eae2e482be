from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('models', '0001_initial')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Account',
            name='mobile',
            field=fields.CharField(default='', description='E.164, or empty', max_length=16),
        ),
    ]
