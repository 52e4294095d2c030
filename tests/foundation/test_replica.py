"""DATABASE_REPLICA_URL: anonymous public reads are served by the replica alias, everything else
(editors, the admin, POSTs, reads after a write) by the primary. The replica here is a second
connection to the same database, so both logs can be compared; the settings wiring itself
(router and middleware only when the variable is set) is checked in a fresh process."""

import re
import runpy
from contextlib import nullcontext
from pathlib import Path

from django.db import connections
from django.db.utils import OperationalError, load_backend
from django.test import Client
from django.test.utils import CaptureQueriesContext

import pytest

import cms
from cms.replica import REPLICA, ReplicaReadMiddleware, failover
from search.indexing import rebuild_index
from tests.factories import make_procedure

# committed rows, so that the second connection sees them
replica_db = pytest.mark.django_db(transaction=True)


@pytest.fixture
def replica(settings):
    """A "replica" alias on the primary's (test) database, with the router and middleware.

    Made by hand rather than in DATABASES, as the test runner allows for an alias added
    after set-up (a second DATABASES entry would ask every other test to declare it).
    """
    primary = connections["default"].settings_dict
    wrapper = load_backend(primary["ENGINE"]).DatabaseWrapper({**primary}, REPLICA)
    connections[REPLICA] = wrapper
    settings.DATABASE_ROUTERS = ["cms.replica.ReplicaRouter"]
    settings.MIDDLEWARE = ["cms.replica.ReplicaReadMiddleware", *settings.MIDDLEWARE]
    failover.down_until = 0.0
    yield wrapper
    failover.down_until = 0.0
    wrapper.close()
    del connections[REPLICA]


@pytest.fixture
def published(department):
    from wagtail.models import Site

    from cms.models import PortalSettings

    # the site's settings row, which its first request would create (a write, after which
    # the rest of that request reads the primary)
    PortalSettings.for_site(Site.objects.get(is_default_site=True))
    return make_procedure(
        department=department, national_code="1.000777", title="Đăng ký kết hôn"
    )


def served(client, method, path, *, replica=True, **extra):
    """(status, SQL the primary ran, SQL the replica ran) for one request. With
    replica=False the replica's log is not opened (that connects to it) and reads ""."""
    with CaptureQueriesContext(connections["default"]) as primary:
        with (
            CaptureQueriesContext(connections[REPLICA]) if replica else nullcontext([])
        ) as replica_log:
            response = getattr(client, method)(path, **extra)
    return (
        response.status_code,
        " ".join(q["sql"] for q in primary),
        " ".join(q["sql"] for q in replica_log),
    )


@replica_db
def test_anonymous_api_and_page_reads_come_from_the_replica(replica, published):
    client = Client()
    status, primary, replica_sql = served(client, "get", "/api/v1/procedures/1.000777/")
    assert status == 200
    assert "catalog_procedurepage" in replica_sql
    assert "catalog_procedurepage" not in primary

    status, primary, replica_sql = served(client, "get", published.url)
    assert status == 200
    assert "wagtailcore_page" in replica_sql
    assert "catalog_procedurepage" not in primary


@replica_db
def test_a_replica_that_is_down_fails_over_to_the_primary_then_is_tried_again(
    replica, published, monkeypatch
):
    connect = replica.ensure_connection
    attempts = []

    def unreachable():
        attempts.append(1)
        raise OperationalError("could not connect to the replica")

    monkeypatch.setattr(replica, "ensure_connection", unreachable)
    client = Client()
    # the request that meets the dead replica is answered, from the primary
    status, primary, _ = served(
        client, "get", "/api/v1/procedures/1.000777/", replica=False
    )
    assert status == 200
    assert attempts and "catalog_procedurepage" in primary
    # and the next ones go straight to the primary, without waiting on the replica again
    tried = len(attempts)
    status, primary, _ = served(client, "get", published.url, replica=False)
    assert status == 200 and "wagtailcore_page" in primary
    assert len(attempts) == tried
    assert Client().get("/healthz").json()["status"] == "degraded"

    # once the replica is back and the failover period is over, it serves reads again
    monkeypatch.setattr(replica, "ensure_connection", connect)
    failover.down_until = 0.0
    status, primary, replica_sql = served(
        client, "get", "/api/v1/procedures/?page_size=5"
    )
    assert status == 200
    assert "catalog_procedurepage" in replica_sql
    assert "catalog_procedurepage" not in primary


@replica_db
def test_a_replica_that_refuses_a_read_fails_over_too(replica, published):
    """A role without a grant, or a schema behind the primary's migrations: a 500 on the
    replica (found by an independent operator check) is answered from the primary."""
    from django.db.utils import ProgrammingError

    def refuse(execute, sql, params, many, context):
        if "catalog_" in sql:
            raise ProgrammingError("permission denied for table catalog_procedurepage")
        return execute(sql, params, many, context)

    client = Client(raise_request_exception=False)  # the first try's 500 is retried
    with replica.execute_wrapper(refuse):
        status, primary, _ = served(
            client, "get", "/api/v1/procedures/?page_size=5", replica=False
        )
        assert status == 200 and "catalog_procedurepage" in primary
        assert not failover.usable()  # the replica is left alone for a while
        assert client.get("/api/v1/search/?q=ket+hon").status_code == 200


@replica_db
def test_a_request_the_failover_runs_again_is_counted_once(
    replica, published, settings
):
    """The retry on the primary does not count the client's quota, the page view or the
    logged search a second time (each was counted by the attempt the replica failed)."""
    from django.db.utils import ProgrammingError

    from catalog.services import page_views
    from search import query_log

    def refuse(execute, sql, params, many, context):
        if "catalog_" in sql:
            raise ProgrammingError("permission denied for table catalog_procedurepage")
        return execute(sql, params, many, context)

    def refuse_body(execute, sql, params, many, context):
        # the route's page rows are read; the page body's own tables are refused
        if "catalog_" in sql and not re.search(r'FROM "catalog_\w+page"', sql):
            raise ProgrammingError("permission denied for table catalog_step")
        return execute(sql, params, many, context)

    settings.API_ANON_RATE = "3/min"
    client = Client(raise_request_exception=False)
    flushed = query_log.flush()
    assert flushed >= 0 and query_log.buffered() == 0
    with replica.execute_wrapper(refuse):
        statuses = []
        for _ in range(4):
            failover.down_until = 0.0  # every request meets the refusing replica first
            statuses.append(client.get("/api/v1/procedures/1.000777/").status_code)
        assert statuses == [200, 200, 200, 429]

    # the page: found (its route and row), counted, then its body's reads are refused
    with replica.execute_wrapper(refuse_body):
        failover.down_until = 0.0
        assert client.get(published.url).status_code == 200
        assert not failover.usable()
    with replica.execute_wrapper(refuse):
        failover.down_until = 0.0
        assert client.get("/tim-kiem/", {"q": "kết hôn"}).status_code == 200
        assert not failover.usable()
    now = int(page_views.clock() // page_views.interval_seconds())
    assert page_views.flush_views(up_to=now) == 1
    assert query_log.buffered() == 1


@replica_db
def test_a_failing_primary_is_still_a_503_and_the_replica_stays_in_use(
    replica, published, monkeypatch
):
    """Failover is for the replica only: a 503 the replica did not cause is passed on."""

    def primary_down(*args, **kwargs):
        raise OperationalError("could not connect to the primary")

    monkeypatch.setattr("api.views.ProcedureDetailView.get", primary_down)
    response = Client().get("/api/v1/procedures/1.000777/")
    assert response.status_code == 503
    assert failover.usable()


@replica_db
def test_editors_the_admin_and_posts_read_the_primary(replica, published, superuser):
    editor = Client()
    editor.force_login(superuser)
    for path in ("/api/v1/procedures/1.000777/", published.url, "/admin/"):
        status, primary, replica_sql = served(editor, "get", path)
        assert status == 200, path
        assert replica_sql == "", path
        assert "wagtailcore_page" in primary or "catalog_" in primary, path

    status, primary, replica_sql = served(
        Client(), "post", "/admin/login/", data={"username": "root", "password": "x"}
    )
    assert status == 200 and replica_sql == "" and "auth_user" in primary


@replica_db
def test_reads_after_a_write_in_the_same_request_go_to_the_primary(
    replica, published, rf
):
    from catalog.models import ProcedurePage
    from cms.models import HealthProbe

    def view(request):
        ProcedurePage.objects.filter(pk=published.pk).exists()
        HealthProbe.objects.create()
        ProcedurePage.objects.filter(pk=published.pk).exists()
        from django.http import HttpResponse

        return HttpResponse()

    with CaptureQueriesContext(connections["default"]) as primary:
        with CaptureQueriesContext(connections[REPLICA]) as replica_log:
            ReplicaReadMiddleware(view)(rf.get("/api/v1/procedures/"))
    reads = [q["sql"] for q in replica_log]
    assert len(reads) == 1 and "catalog_procedurepage" in reads[0]
    after_write = [q["sql"] for q in primary if "catalog_procedurepage" in q["sql"]]
    assert len(after_write) == 1


@replica_db
def test_a_transaction_the_view_opens_reads_the_primary(replica, published, rf):
    """A view exempt from ATOMIC_REQUESTS (the API's) that opens a transaction, here with a
    locking read (SELECT ... FOR UPDATE on PostgreSQL, run on the primary), reads the primary
    inside it: it may write what it reads."""
    from django.db import transaction
    from django.http import HttpResponse

    from catalog.models import ProcedurePage

    @transaction.non_atomic_requests
    def view(request):
        ProcedurePage.objects.filter(pk=published.pk).exists()  # before: the replica
        with transaction.atomic():
            list(ProcedurePage.objects.select_for_update().filter(pk=published.pk))
            ProcedurePage.objects.filter(pk=published.pk).exists()
        return HttpResponse()

    def handler(
        request,
    ):  # what Django's handler does between the middleware and the view
        middleware.process_view(request, view, (), {})
        return view(request)

    middleware = ReplicaReadMiddleware(handler)
    with CaptureQueriesContext(connections[REPLICA]) as replica_log:
        middleware(rf.get("/api/v1/procedures/"))
    reads = [q["sql"] for q in replica_log if "catalog_procedurepage" in q["sql"]]
    assert len(reads) == 1 and "FOR UPDATE" not in reads[0]


@replica_db
def test_a_replica_failure_is_not_logged_as_a_database_outage(
    replica, published, monkeypatch, caplog
):
    """The request that meets a dead replica is answered from the primary: the log says the
    replica failed, not that the database is unavailable and requests get 503."""

    def unreachable():
        raise OperationalError("could not connect to the replica")

    monkeypatch.setattr(replica, "ensure_connection", unreachable)
    with caplog.at_level("WARNING"):
        assert Client().get("/api/v1/procedures/1.000777/").status_code == 200
    messages = [r.getMessage() for r in caplog.records]
    assert any("read from the replica failed" in m for m in messages), messages
    assert not [m for m in messages if "database unavailable" in m], messages


def test_the_replica_is_wired_only_when_configured(monkeypatch, tmp_path):
    def base_settings():
        return runpy.run_path(str(Path(cms.__file__).parent / "settings" / "base.py"))

    monkeypatch.delenv("DATABASE_REPLICA_URL", raising=False)
    without = base_settings()
    assert list(without["DATABASES"]) == ["default"]
    assert "DATABASE_ROUTERS" not in without
    assert "cms.replica.ReplicaReadMiddleware" not in without["MIDDLEWARE"]

    monkeypatch.setenv(
        "DATABASE_REPLICA_URL", "postgres://reader@replica.internal/catalog"
    )
    wired = base_settings()
    assert wired["DATABASES"]["replica"]["HOST"] == "replica.internal"
    assert wired["DATABASES"]["replica"]["TEST"] == {"MIRROR": "default"}
    assert wired["DATABASE_ROUTERS"] == ["cms.replica.ReplicaRouter"]
    assert "ATOMIC_REQUESTS" not in wired["DATABASES"]["replica"]
    assert wired["MIDDLEWARE"].index("cms.replica.ReplicaReadMiddleware") == (
        wired["MIDDLEWARE"].index("cms.outage.DatabaseOutageMiddleware") + 1
    )


@replica_db
def test_healthz_reads_the_primary_and_reports_the_replica(
    replica, published, monkeypatch
):
    monkeypatch.setattr("cms.replica.configured_replica", lambda: REPLICA)
    rebuild_index()  # search is ok, so the replica alone decides between ok and degraded
    status, primary, replica_sql = served(Client(), "get", "/healthz")
    assert status == 200
    assert "catalog_catalogevent" in primary  # the read check is the primary's
    assert "catalog_catalogevent" in replica_sql
    body = Client().get("/healthz").json()
    assert body["status"] == "ok", body
    assert body["database"]["replica"]["status"] == "ok"
    assert body["database"]["replica"]["events_behind"] == 0

    def unreachable():
        raise OperationalError("could not connect to the replica")

    monkeypatch.setattr(replica, "ensure_connection", unreachable)
    body = Client().get("/healthz").json()
    assert body["status"] == "degraded"  # the admin and editors still work
    assert body["database"]["status"] == "ok"
    assert body["database"]["replica"]["status"] == "down"
