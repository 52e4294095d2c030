from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0003_per_host_cursor"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchQueryDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True,
                        primary_key=True,
                        serialize=False,
                        verbose_name="ID",
                    ),
                ),
                ("day", models.DateField(verbose_name="ngày")),
                (
                    "query",
                    models.CharField(max_length=200, verbose_name="câu tìm kiếm"),
                ),
                (
                    "searches",
                    models.PositiveIntegerField(default=0, verbose_name="lượt tìm"),
                ),
                (
                    "zero_result_searches",
                    models.PositiveIntegerField(
                        default=0, verbose_name="lượt không có kết quả"
                    ),
                ),
                (
                    "clicks",
                    models.PositiveIntegerField(
                        default=0, verbose_name="lượt mở kết quả"
                    ),
                ),
                (
                    "result_count",
                    models.PositiveIntegerField(
                        default=0, verbose_name="số kết quả lần gần nhất"
                    ),
                ),
            ],
            options={
                "verbose_name": "thống kê câu tìm kiếm",
                "verbose_name_plural": "thống kê câu tìm kiếm",
                "ordering": ["-day", "-searches"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "query"), name="search_query_day"
                    )
                ],
            },
        ),
    ]
