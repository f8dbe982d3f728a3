"""Alembic environment: always run on a connection handed over by db.migrate (or a URL from -x url=...)."""

from alembic import context
from sqlalchemy import create_engine

from db.fulltext import include_name
from db.models import Base

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    # include_name: the full-text index is raw SQL outside the models; autogenerate must not drop it.
    context.configure(connection=conn, target_metadata=Base.metadata, render_as_batch=True,
                      include_name=include_name)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    url = context.get_x_argument(as_dictionary=True).get("url", "sqlite:///:memory:")
    with create_engine(url).connect() as conn:
        run(conn)
