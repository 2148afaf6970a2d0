"""What every CLI command needs, made on first use: settings, servers, a checked connection."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from campaigns.storage import migrate
from campaigns.storage.db import Connection, connect
from dialer.bootstrap import ServiceUrls, resolve_services, upgrade_database
from dialer.settings import Settings, load_settings


class SchemaOutdated(RuntimeError):
    """The database schema is older than this code; `dialer db upgrade` fixes it."""


@dataclass
class Runtime:
    settings: Settings = field(default_factory=load_settings)
    _services: ServiceUrls | None = None

    def services(self) -> ServiceUrls:
        if self._services is None:
            self._services = resolve_services(self.settings)
            if self.settings.uses_embedded_database:
                # The embedded database is ours: keep it at the code's schema without asking.
                upgrade_database(self._services.database_url)
        return self._services

    @contextmanager
    def connection(self) -> Iterator[Connection]:
        with connect(self.services().database_url) as conn:
            wanted = len(migrate.available_migrations())
            have = migrate.current_version(conn)
            if have < wanted:
                raise SchemaOutdated(
                    f"the database schema is at version {have}, this dialer needs {wanted}: "
                    "run `dialer db upgrade`"
                )
            yield conn
