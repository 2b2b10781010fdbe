"""Alembic environment: runs on the connection `Database.migrate` hands in, or on the URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers every table on SQLModel.metadata)

config = context.config
target_metadata = SQLModel.metadata


def include_name(name, type_, parent_names) -> bool:  # type: ignore[no-untyped-def]
    """Autogenerate compares only our tables: slack_sdk's installation store keeps its own
    (created by migration 0002), which are not SQLModel models and must not be dropped."""
    if type_ == "table":
        return name in target_metadata.tables
    return True


def run(connection) -> None:  # type: ignore[no-untyped-def]
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        include_name=include_name,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as conn:
        run(conn)
        conn.commit()
