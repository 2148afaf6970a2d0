"""The Flask dashboard: management pages, agent console, wallboard, reports and the JSON API.

How to add a page or an API area (see tests/dashboard_fixtures.py for testing it):

1. A module under dashboard/routes/ (or dashboard/routes/api/) defining
   `blueprint = Blueprint("name", __name__, url_prefix=...)`; it is registered by discovery.
2. Every view carries an access rule from dashboard.access: `@public`, `@login_required`,
   `@roles_required(Role.X, ...)` or the shorthands `@managers` (admin, supervisor), `@admins`,
   `@agents`. A view without one answers 403 (the hook in dashboard.auth fails closed).
3. Menu entries: `NAV = [NavItem("Reports", "reports.index", frozenset({...}), order=20)]` in the
   module; users see only the entries their role may open.
4. Pages extend "base.html" (blocks title, head, content) and put `{{ csrf() }}` (from
   "macros.html") in every POST form; scripts call `dialerFetch(url, {method, json})`, which
   sends the X-CSRFToken header. plotly.js: `url_for("assets.plotly_js", version=PLOTLY_VERSION)`
   (dashboard.routes.assets).
5. Views get the request's connection with dashboard.db.get_db(), call campaigns' stores or
   services, and let campaigns.errors propagate: dashboard.errors answers 400/404/409 (JSON under
   /api/, a page elsewhere). Filters and sorts: dashboard.params, and allow-listed SORTABLE maps in
   the store (campaigns.storage.paging).
6. API views also carry `@documented(...)` (dashboard.openapi) with schema names from
   dashboard.api_schemas; the OpenAPI test fails for an undocumented /api/v1 route.
"""
