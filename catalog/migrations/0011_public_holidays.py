"""The official public holidays of 2025-2027 (Labour Code art. 112 and the Government's yearly
notices), so that a catalog imported without the demo data counts working days right: without
them an expected result date could fall on Tết or 30/4. Administrators edit the list afterwards
(Snippets, «Ngày nghỉ lễ»); rows already there are left as they are."""

import datetime

from django.db import migrations

HOLIDAYS = [
    ("2025-01-01", "Tết Dương lịch"),
    ("2025-01-25", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-26", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-27", "Tết Nguyên đán Ất Tỵ"),
    ("2025-01-28", "Tết Nguyên đán Ất Tỵ (29 tháng Chạp)"),
    ("2025-01-29", "Tết Nguyên đán Ất Tỵ (mùng 1)"),
    ("2025-01-30", "Tết Nguyên đán Ất Tỵ (mùng 2)"),
    ("2025-01-31", "Tết Nguyên đán Ất Tỵ (mùng 3)"),
    ("2025-02-01", "Tết Nguyên đán Ất Tỵ"),
    ("2025-02-02", "Tết Nguyên đán Ất Tỵ"),
    ("2025-04-07", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2025-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2025-05-01", "Ngày Quốc tế Lao động"),
    ("2025-05-02", "Nghỉ hoán đổi dịp 30/4 - 1/5"),
    ("2025-09-01", "Quốc khánh (ngày liền kề)"),
    ("2025-09-02", "Quốc khánh"),
    ("2026-01-01", "Tết Dương lịch"),
    ("2026-02-16", "Tết Nguyên đán Bính Ngọ (29 tháng Chạp)"),
    ("2026-02-17", "Tết Nguyên đán Bính Ngọ (mùng 1)"),
    ("2026-02-18", "Tết Nguyên đán Bính Ngọ (mùng 2)"),
    ("2026-02-19", "Tết Nguyên đán Bính Ngọ (mùng 3)"),
    ("2026-02-20", "Tết Nguyên đán Bính Ngọ (mùng 4)"),
    ("2026-04-27", "Nghỉ bù Giỗ Tổ Hùng Vương (10/3 âm lịch rơi vào Chủ nhật 26/4)"),
    ("2026-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2026-05-01", "Ngày Quốc tế Lao động"),
    ("2026-09-01", "Quốc khánh (ngày liền kề)"),
    ("2026-09-02", "Quốc khánh"),
    ("2027-01-01", "Tết Dương lịch"),
    ("2027-02-05", "Tết Nguyên đán Đinh Mùi (cuối năm Bính Ngọ)"),
    ("2027-02-08", "Tết Nguyên đán Đinh Mùi (mùng 3)"),
    ("2027-02-09", "Tết Nguyên đán Đinh Mùi (mùng 4)"),
    ("2027-02-10", "Tết Nguyên đán Đinh Mùi (nghỉ bù mùng 1 rơi vào thứ Bảy)"),
    ("2027-02-11", "Tết Nguyên đán Đinh Mùi (nghỉ bù mùng 2 rơi vào Chủ nhật)"),
    ("2027-04-16", "Giỗ Tổ Hùng Vương (10/3 âm lịch)"),
    ("2027-04-30", "Ngày Giải phóng miền Nam, thống nhất đất nước"),
    ("2027-05-03", "Nghỉ bù Ngày Quốc tế Lao động (1/5 rơi vào thứ Bảy)"),
    ("2027-09-02", "Quốc khánh"),
    ("2027-09-03", "Quốc khánh (ngày liền kề)"),
]


def add_holidays(apps, schema_editor):
    PublicHoliday = apps.get_model("catalog", "PublicHoliday")
    for day, name in HOLIDAYS:
        PublicHoliday.objects.get_or_create(
            date=datetime.date.fromisoformat(day), defaults={"name": name}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0010_procedure_decision_authority"),
    ]

    operations = [migrations.RunPython(add_holidays, migrations.RunPython.noop)]
