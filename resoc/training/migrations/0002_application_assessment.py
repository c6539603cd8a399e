import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('people', '0001_initial'),
        ('training', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='enrollment',
            name='decided_on',
            field=models.DateField(blank=True, null=True, verbose_name='decided on'),
        ),
        migrations.AddField(
            model_name='enrollment',
            name='education',
            field=models.CharField(blank=True, choices=[('none', 'No completed school'), ('primary', 'Primary school'), ('secondary', 'Secondary school'), ('vocational', 'Vocational school'), ('higher', 'Higher education')], max_length=20, verbose_name='education'),
        ),
        migrations.AddField(
            model_name='enrollment',
            name='security',
            field=models.CharField(blank=True, choices=[('low', 'Low risk'), ('medium', 'Medium risk'), ('high', 'High risk')], max_length=10, verbose_name='security assessment'),
        ),
        migrations.AlterField(
            model_name='enrollment',
            name='person',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='enrollments', to='people.person', verbose_name='person'),
        ),
        migrations.AddIndex(
            model_name='enrollment',
            index=models.Index(fields=['person', 'status'], name='enrollment_person_status'),
        ),
    ]
