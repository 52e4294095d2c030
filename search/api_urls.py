"""/api/v1/search/ endpoints (owned by the search app)."""

urlpatterns: list = []
