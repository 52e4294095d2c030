"""Fill a throwaway server's fresh database: run with its environment, prints a session key.

`python -m tests.reliability.seed` after `manage.py migrate`: one department with three
published procedures (through the product's services, so the search index has them) and a
logged-in catalog administrator's session for the admin requests.
"""

import django


def main() -> None:
    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore

    from tests.factories import make_department, make_procedure

    department = make_department(code="STP", title="Sở Tư pháp")
    for number, title in enumerate(
        ("Đăng ký khai sinh", "Đăng ký kết hôn", "Cấp bản sao trích lục hộ tịch"), 1
    ):
        make_procedure(
            department=department, national_code=f"1.00000{number}", title=title
        )
    user = get_user_model().objects.create_superuser(
        "root", "root@example.invalid", "pw"
    )
    session = SessionStore()
    session["_auth_user_id"] = str(user.pk)
    session["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
    session["_auth_user_hash"] = user.get_session_auth_hash()
    session.create()
    print(session.session_key)


if __name__ == "__main__":
    main()
