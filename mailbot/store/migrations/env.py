"""Alembic environment: runs against the connection mailbot passes in.

Developers can also run ``alembic`` by hand with ``-x url=<SQLAlchemy URL>``.
"""

from alembic import context
from sqlalchemy import create_engine

from mailbot.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations(connection) -> None:
    # SQLite cannot ALTER most things in place, so batch mode rebuilds tables.
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


connection = config.attributes.get("connection")
if connection is not None:
    run_migrations(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url")
    if not url:
        raise SystemExit("pass the database with: alembic -x url=sqlite:///path/to/mailbot.sqlite3 ...")
    with create_engine(url).begin() as own_connection:
        run_migrations(own_connection)
