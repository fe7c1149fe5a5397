"""The Flask extensions, created unbound here and bound in create_app."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import request
from flask_bootstrap import Bootstrap5
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from lms.ratelimits import private_key

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


def client_key() -> str:
    """Return the rate-limit key of the client's address (as ProxyFix resolved it): a keyed hash only."""
    return private_key("address", request.remote_addr or "unknown")


db = SQLAlchemy(model_class=Base)
# The base of every model. Flask-SQLAlchemy builds db.Model from Base at run time (adding the
# table-name and bind mixins); a type checker cannot follow that, so it is told Base.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
limiter = Limiter(key_func=client_key, default_limits=[])
bootstrap = Bootstrap5()
