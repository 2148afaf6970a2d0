"""The JSON API under /api/v1: one blueprint per module, each view with an access rule and
`@documented` for the OpenAPI document (dashboard.openapi). Token (Bearer) or session auth; cookie
writes need X-CSRFToken. Domain errors become 400/404/409 JSON in dashboard.errors."""
