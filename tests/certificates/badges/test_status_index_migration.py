"""The migration gives certificates issued before it their status-list index (their id, as at issue)."""

import flask_migrate
from sqlalchemy import text

from lms.certificates import services
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, create_demo_trainings
from lms.extensions import db
from lms.trainings.scope import get_training
from tests.certificates.conftest import NOW
from tests.test_migrations import SCHEMA, migrated_app


def test_upgrade_fills_the_index_of_existing_certificates(tmp_path):
    app = migrated_app(tmp_path)
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            with db.engine.begin() as conn:
                conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
                conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
        flask_migrate.upgrade()
        create_demo(9, seed=5)
        create_demo_trainings(NOW, seed=5)
        db.session.commit()
        services.issue_all(get_training(FINISHED_SLUG), None, NOW, commit=db.session.commit)
        db.session.remove()
        flask_migrate.downgrade(revision="m3c4d5e6f703")  # as the database stood before Open Badges
        flask_migrate.upgrade()
        with db.engine.connect() as conn:
            rows = conn.execute(text("SELECT id, status_list_index FROM certificates")).all()
        assert len(rows) == 5 and all(index == id_ for id_, index in rows)
        db.engine.dispose()  # left as it is: older revisions cannot go down with data (test_migrations starts anew)
