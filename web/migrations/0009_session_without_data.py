from tortoise import migrations
from tortoise.migrations import operations as ops

class Migration(migrations.Migration):
    dependencies = [('models', '0008_logins_by_the_email_rule')]

    initial = False

    operations = [
        ops.RemoveField(model_name='Session', name='data'),
    ]
