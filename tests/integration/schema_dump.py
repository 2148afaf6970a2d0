"""A normalised text description of the public schema, stable across PostgreSQL 15 and 16."""

from __future__ import annotations

import psycopg

_COLUMNS = """
SELECT table_name, column_name, data_type, is_nullable, coalesce(column_default, ''), is_identity
FROM information_schema.columns WHERE table_schema = 'public'
ORDER BY table_name, ordinal_position
"""

_CONSTRAINTS = """
SELECT cl.relname, co.conname, pg_get_constraintdef(co.oid)
FROM pg_constraint co JOIN pg_class cl ON cl.oid = co.conrelid
JOIN pg_namespace n ON n.oid = cl.relnamespace
WHERE n.nspname = 'public'
ORDER BY cl.relname, co.conname
"""

_INDEXES = """
SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = 'public'
ORDER BY tablename, indexname
"""

_VIEWS = """
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('v', 'm') ORDER BY c.relname
"""

_TRIGGERS = """
SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid)
FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND NOT t.tgisinternal
ORDER BY c.relname, t.tgname
"""

_FUNCTIONS = """
SELECT p.proname, pg_get_function_identity_arguments(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' ORDER BY 1, 2
"""


def dump_schema(conn: psycopg.Connection[tuple[object, ...]]) -> str:
    lines: list[str] = []
    for table, column, kind, nullable, default, identity in conn.execute(_COLUMNS):
        flags = " NOT NULL" if nullable == "NO" else ""
        flags += " IDENTITY" if identity == "YES" else ""
        flags += f" DEFAULT {default}" if default else ""
        lines.append(f"column {table}.{column} {kind}{flags}")
    for table, name, definition in conn.execute(_CONSTRAINTS):
        lines.append(f"constraint {table}.{name} {definition}")
    for table, name, definition in conn.execute(_INDEXES):
        lines.append(f"index {table}.{name} {definition}")
    for name, kind in conn.execute(_VIEWS):
        lines.append(f"view {name} {kind}")
    for table, name, definition in conn.execute(_TRIGGERS):
        lines.append(f"trigger {table}.{name} {definition}")
    for name, arguments in conn.execute(_FUNCTIONS):
        lines.append(f"function {name}({arguments})")
    return "\n".join(lines) + "\n"
