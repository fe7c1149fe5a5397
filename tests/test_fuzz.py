"""Fuzz every form and JSON endpoint with Hypothesis: no input may produce a server error (5xx).

Targets come from the application itself: each actor (admin, trainer, participant, anonymous)
crawls the pages it can reach from its home page, and every <form> found becomes a target with
its real action URL and field names (select options, hidden values and defaults included).
POST routes of app.url_map that no page showed get a target built from the route, with the
field names of every WTForms form class. Each example posts Hypothesis-chosen values (NUL
characters, huge integers, odd Unicode, empty, very long, formulas) as a form or as JSON.

Bounded for CI: a few examples per target, derandomized, no example database. The figures
(targets, inputs tried per target, server errors) are printed: run with -s to see them.
"""

from __future__ import annotations

import io
import json
import os
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from flask_wtf import FlaskForm
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from lms.accounts import services as accounts
from lms.accounts.models import Role, User
from lms.accounts.permissions import PUBLIC_ENDPOINTS
from lms.certificates import services as certificates
from lms.db_types import utcnow
from lms.demo import create_demo
from lms.demo_trainings import FINISHED_SLUG, RUNNING_SLUG, create_demo_trainings
from lms.extensions import db, limiter
from lms.trainings.scope import get_training
from tests.conftest import PASSWORD
from tests.formclasses import app_form_classes

# Inputs per target: the default keeps the file under a minute on 2 cores; raise it for a deeper run.
EXAMPLES = int(os.environ.get("LMS_FUZZ_EXAMPLES", "15"))
PAGES_PER_ACTOR = 70
PRACTICE_QUIZ = "kuis-caption-dan-interaksi-warganet"
# Actions that change the actor's own login; the actor is restored and logged in again after them.
RISKY = re.compile(r"logout|password|active|anonymi|session|login|profile|account", re.I)
DESTRUCTIVE = re.compile(r"delete|remove|revoke|active|anonymi|logout|reissue", re.I)
SKIP_ENDPOINTS = {"static", "bootstrap.static", "courses.asset"}

WEIRD = ["", " ", "\x00", "a\x00b", "0", "-1", "2147483648", "9223372036854775808", "9" * 40, "-" + "9" * 40,
         "1e999", "NaN", "inf", "-0", "0x10", "1.5", "2026-02-30", "2026-13-01", "0000-00-00", "9999-12-31",
         "25:61", "24:00", "<script>alert(1)</script>", "' OR 1=1 --", "=1+1", "@SUM(A1)", "x" * 5000,
         "١٢٣", "１２３", "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "\u202egnp.exe", "\ufeff", "..", "/", "%00", "null", "[]", "{}",
         "on", "true", "Ä" * 300]
FUZZ_TEXT = st.one_of(st.sampled_from(WEIRD), st.text(max_size=30),
                      st.integers(min_value=-(2**70), max_value=2**70).map(str))
JSON_VALUE = st.one_of(FUZZ_TEXT, st.integers(min_value=-(2**70), max_value=2**70),
                       st.floats(allow_nan=True, allow_infinity=True), st.none(), st.booleans(),
                       st.lists(st.one_of(st.integers(), st.text(max_size=5)), max_size=3),
                       st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2))
FILES = [b"", b"nama,nip,opd\nBudi,198503142010011001,Dinas Sosial\n", b"PK\x03\x04\x00\x00",
         b"\x89PNG\r\n\x1a\n" + b"\x00" * 20, b"\xff\xfe\x00\x00garbage", b"nama;opd\n\x00;\x00\n"]
JSON_KEYS = {"quizzes.save_answer": ["question", "value", "revision"]}
PARTICIPANT_ROUTES = {"attendance.typed_code", "courses.complete"}


@dataclass
class Field:
    kind: str  # text, hidden, select, checkbox, radio, file, textarea, submit, date, time, number, email...
    default: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class Target:
    actor: str
    method: str
    url: str
    endpoint: str
    fields: dict[str, Field]
    discovered: bool = True
    json_keys: list[str] = field(default_factory=list)
    tried: int = 0
    errors: list[str] = field(default_factory=list)


class PageParser(HTMLParser):
    """Collect links and forms (with their fields) from one page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[tuple[str, str, dict[str, Field]]] = []
        self._form: dict[str, Field] | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href", "").startswith("/"):
            self.links.append(a["href"])
        elif tag == "form":
            self._form = {}
            self.forms.append((a.get("method", "get").lower(), a.get("action", ""), self._form))
        elif self._form is None or not a.get("name"):
            return
        elif tag in ("input", "button"):
            kind = a.get("type", "text" if tag == "input" else "submit").lower()
            current = self._form.get(a["name"])
            if current is not None and kind in ("radio", "checkbox", "submit"):
                current.options.append(a.get("value", "on"))
            else:
                self._form[a["name"]] = Field(kind, a.get("value", "on" if kind in ("checkbox", "radio") else ""),
                                              [a.get("value", "on")] if kind in ("radio", "checkbox", "submit") else [])
        elif tag == "select":
            self._select = a["name"]
            self._form[a["name"]] = Field("select")
        elif tag == "textarea":
            self._textarea = a["name"]
            self._form[a["name"]] = Field("textarea")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea and self._form is not None and self._textarea in self._form:
            self._form[self._textarea].default += data


def _option_values(html: str) -> dict[str, list[str]]:
    """Return each <select>'s option values (the parser above keeps only the element)."""
    found: dict[str, list[str]] = {}
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        found[name] = re.findall(r'<option[^>]*value="([^"]*)"', body)
    return found


# ---------------------------------------------------------------- values


def plausible(name: str, spec: Field) -> str:
    """Return a value that passes the field's checks, so the other fields' fuzz reaches services."""
    if spec.default or spec.kind in ("hidden", "select", "checkbox", "radio", "submit"):
        return spec.default or (spec.options[0] if spec.options else "")
    lowered = name.lower()
    for key, value in (("email", "fuzz@contoh.go.id"), ("nip", "198503142010011009"), ("date", "2026-08-18"),
                       ("day", "2026-08-18"), ("time", "09:00"), ("phone", "081234567890"), ("hp", "081234567890"),
                       ("password", "Bimtek-Fuzz-2026-Kuat!"), ("slug", "bimtek-fuzz"), ("code", "123456"),
                       ("reason", "Alasan pengujian fuzz"), ("jp", "2"), ("count", "1")):
        if key in lowered:
            return value
    return {"date": "2026-08-18", "time": "09:00", "number": "1", "email": "fuzz@contoh.go.id",
            "datetime-local": "2026-08-18T09:00"}.get(spec.kind, "Nilai Uji Fuzz")


def field_strategy(name: str, spec: Field) -> st.SearchStrategy[Any]:
    if spec.kind == "file":
        return st.tuples(st.sampled_from(FILES) | st.binary(max_size=64),
                         st.sampled_from(["peserta.csv", "peserta.xlsx", "logo.png", "", "x.exe", "a\u202e.csv"]))
    choices = [plausible(name, spec)] + spec.options
    return st.one_of(st.sampled_from(choices), FUZZ_TEXT, st.none())


def body_strategy(target: Target) -> st.SearchStrategy[tuple[str, Any]]:
    names = sorted(target.fields) or ["q"]
    specs = {n: target.fields.get(n, Field("text")) for n in names}
    base = {n: plausible(n, specs[n]) for n in names}

    def one_field(name: str) -> st.SearchStrategy[dict[str, Any]]:
        return field_strategy(name, specs[name]).map(lambda value: {**base, name: value})

    every_field = st.fixed_dictionaries({n: field_strategy(n, specs[n]) for n in names})
    single = st.sampled_from(names).flatmap(one_field)  # the others valid: the fuzz reaches the services
    form = st.one_of(single, single, single, every_field).map(lambda d: ("form", d))
    keys = target.json_keys or names
    as_json = st.one_of(
        st.fixed_dictionaries({k: JSON_VALUE for k in keys}),
        st.dictionaries(st.sampled_from(keys) | st.text(max_size=8), JSON_VALUE, max_size=4),
        JSON_VALUE, st.lists(JSON_VALUE, max_size=3)).map(lambda d: ("json", d))
    if target.method == "get":
        return form
    return st.one_of(form, form, as_json) if not target.json_keys else st.one_of(form, as_json, as_json)


# ---------------------------------------------------------------- the world and its actors


@dataclass
class World:
    users: dict[str, User]
    originals: dict[str, dict[str, Any]]
    clients: dict[str, Any]
    ids: dict[str, int]
    slugs: dict[str, str]
    question_ids: list[str]


def build_world(app: Any) -> World:
    now = utcnow()
    create_demo(6, seed=3)
    create_demo_trainings(now, seed=3)
    db.session.commit()
    finished, running = get_training(FINISHED_SLUG), get_training(RUNNING_SLUG)
    rows = [r for r in certificates.eligibility_table(finished, now) if r.may_issue]
    certificate = certificates.issue(finished, rows[0], None, now) if rows else None
    db.session.commit()
    by_role = {role: db.session.scalars(select(User).where(User.role == role.value).order_by(User.id)).first()
               for role in (Role.ADMIN, Role.TRAINER)}
    participant = running.enrollments[0].user if hasattr(running, "enrollments") else None
    participant = participant or db.session.scalars(select(User).where(User.role == "participant")).first()
    users = {"admin": by_role[Role.ADMIN], "trainer": by_role[Role.TRAINER], "participant": participant}
    for user in users.values():
        user.password_hash = accounts.hash_password(PASSWORD)
        user.must_change_password = False
    db.session.commit()
    originals = {name: {k: getattr(u, k) for k in ("email", "nip", "role", "full_name", "agency_id")}
                 for name, u in users.items()}
    clients = {name: app.test_client() for name in ("admin", "trainer", "participant", "anonymous")}
    world = World(users, originals, clients, {}, {"training": RUNNING_SLUG}, [])
    for name in users:
        login(world, name)
    start = clients["participant"].post(f"/quizzes/{PRACTICE_QUIZ}/start")
    found = re.search(r"/attempts/(\d+)", start.headers.get("Location", ""))
    if found:
        from lms.quizzes.models import Attempt

        attempt = db.session.get(Attempt, int(found.group(1)))
        world.ids["attempt_id"] = attempt.id
        world.question_ids = [e["q"]["id"] for e in attempt.questions]
    victim = db.session.scalars(select(User).where(User.role == "participant", User.id != participant.id)).first()
    world.ids.update(user_id=victim.id, agency_id=victim.agency_id or 1,
                     certificate_id=certificate.id if certificate else 1)
    return world


def restore(world: World, name: str) -> None:
    """Undo what the fuzz may have done to the actor's own account, then log in again."""
    user = db.session.get(User, world.users[name].id)
    for key, value in world.originals[name].items():
        setattr(user, key, value)
    user.active, user.must_change_password = True, False
    user.password_hash = accounts.hash_password(PASSWORD)
    if hasattr(user, "anonymised_at"):
        user.anonymised_at = None
    db.session.commit()
    login(world, name)


def login(world: World, name: str) -> None:
    limiter.reset()
    client = world.clients[name]
    response = client.post("/login", data={"identifier": world.originals[name]["email"] or
                                           world.originals[name]["nip"], "password": PASSWORD})
    assert response.status_code == 302, f"{name} cannot log in: {response.status_code}"


# ---------------------------------------------------------------- discovery


def endpoint_of(app: Any, url: str, method: str = "GET") -> str | None:
    adapter = app.url_map.bind("localhost")
    try:
        endpoint, _ = adapter.match(urlsplit(url).path, method=method.upper())
    except Exception:  # not a route of ours (404/405/redirect)
        return None
    return endpoint


def crawl(app: Any, world: World, actor: str, seeds: list[str]) -> list[Target]:
    client = world.clients[actor]
    queue, seen_endpoints, targets = list(seeds), set(), []
    visited = 0
    while queue and visited < PAGES_PER_ACTOR:
        url = queue.pop(0)
        endpoint = endpoint_of(app, url)
        if endpoint is None or endpoint in seen_endpoints or endpoint in SKIP_ENDPOINTS:
            continue
        seen_endpoints.add(endpoint)
        visited += 1
        response = client.get(url)
        assert response.status_code < 500, f"GET {url} as {actor}: {response.status_code}"
        if response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        parser = PageParser()
        parser.feed(html)
        options = _option_values(html)
        queue.extend(parser.links)
        for method, action, fields in parser.forms:
            for name, values in options.items():
                if name in fields:
                    fields[name].options, fields[name].default = values, values[0] if values else ""
            action_url = action or urlsplit(url).path
            if not action_url.startswith("/"):
                continue
            form_endpoint = endpoint_of(app, action_url, method if method == "post" else "GET")
            if form_endpoint is None:
                continue
            if method == "get":
                fields.update({k: Field("hidden", v) for k, v in parse_qsl(urlsplit(action_url).query)})
            targets.append(Target(actor, method, urlsplit(action_url).path, form_endpoint, fields))
    return targets


def route_targets(app: Any, world: World, known: set[str]) -> list[Target]:
    """Targets for POST routes no page showed, with URL values from the demo data."""
    fields = {name: Field("text") for form in _form_classes() for name in form}
    targets = []
    for rule in app.url_map.iter_rules():
        if "POST" not in (rule.methods or ()) or rule.endpoint in known or rule.endpoint in SKIP_ENDPOINTS:
            continue
        url = _build(app, world, rule)
        if url is None:
            continue
        participant = rule.endpoint.startswith("quizzes.") or rule.endpoint in PARTICIPANT_ROUTES
        actor = "anonymous" if rule.endpoint in PUBLIC_ENDPOINTS else "participant" if participant else "admin"
        keys = JSON_KEYS.get(rule.endpoint, [])
        targets.append(Target(actor, "post", url, rule.endpoint, dict(fields), False, keys))
    return targets


def _build(app: Any, world: World, rule: Any) -> str | None:
    values: dict[str, Any] = {}
    for argument in rule.arguments:
        if argument.endswith("_id") or argument in ("id",):
            values[argument] = world.ids.get(argument, 1)
        elif argument == "slug":
            values[argument] = PRACTICE_QUIZ if rule.rule.startswith("/quizzes") else (
                "caption-dan-interaksi-warganet" if rule.rule.startswith("/courses") else world.slugs["training"])
        elif argument == "lesson_slug":
            values[argument] = "01-anatomi-caption"
        else:
            values[argument] = "x"
    with app.test_request_context():
        from flask import url_for

        try:
            return url_for(rule.endpoint, **values)
        except Exception:  # a converter refused the stand-in value
            return None


def _form_classes() -> list[list[str]]:
    app_form_classes()  # imports every module of lms, so every domain's forms exist
    names = []
    pending = list(FlaskForm.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        names.append([n for n, v in vars(cls).items() if hasattr(v, "field_class")])
    return names


# ---------------------------------------------------------------- the fuzz


def send(world: World, target: Target, body: tuple[str, Any]) -> tuple[int, str]:
    client = world.clients[target.actor]
    mode, data = body
    if target.endpoint == "quizzes.save_answer" and mode == "json" and isinstance(data, dict) and world.question_ids:
        data.setdefault("question", world.question_ids[len(str(data)) % len(world.question_ids)])
    try:
        if target.method == "get":
            query = {k: v for k, v in data.items() if isinstance(v, str)}
            response = client.get(target.url, query_string=query)
        elif mode == "json":
            response = client.post(target.url, data=json.dumps(data, allow_nan=True), content_type="application/json")
        else:
            form = {}
            for key, value in data.items():
                if isinstance(value, tuple):
                    form[key] = (io.BytesIO(value[0]), value[1])
                elif value is not None:
                    form[key] = value
            response = client.post(target.url, data=form)
    except NotFound:
        return 404, ""
    except Exception as exc:  # TESTING propagates what would have been a 500
        return 500, f"{type(exc).__name__}: {str(exc).splitlines()[0][:160] if str(exc) else ''}"
    location = response.headers.get("Location", "")
    status = response.status_code
    response.close()
    return status, location


def fuzz(world: World, target: Target) -> None:
    @settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body_strategy(target))
    def one(body: tuple[str, Any]) -> None:
        target.tried += 1
        status, location = send(world, target, body)
        if status >= 500:
            shown = repr(body)[:200]
            target.errors.append(f"{status} {location} for {shown}")
        if target.actor != "anonymous" and (RISKY.search(target.endpoint) or "/login" in location or status == 401):
            restore(world, target.actor)

    one()


def seeds(world: World) -> dict[str, list[str]]:
    """Where each actor starts crawling: its home page and the pages that hold forms."""
    running, finished = f"/trainings/{RUNNING_SLUG}", f"/trainings/{FINISHED_SLUG}"
    return {
        "anonymous": ["/login", "/verify", "/checkin"],
        "participant": ["/", f"/quizzes/attempts/{world.ids.get('attempt_id', 1)}", f"/quizzes/{PRACTICE_QUIZ}",
                        "/checkin", "/account", "/courses/", "/quizzes/", "/certificates/mine"],
        "trainer": ["/", running, f"{running}/participants"],
        "admin": ["/", "/admin/users", "/admin/agencies", "/admin/institution", "/admin/import",
                  "/admin/users/new", "/admin/audit/", f"/admin/users/{world.ids['user_id']}/edit", running,
                  f"{finished}/certificates", f"{running}/attendance", f"{running}/participants",
                  f"{running}/agenda", f"{running}/edit", "/trainings/new", "/account/password", "/account"],
    }


def collect_targets(app: Any, world: World) -> list[Target]:
    """Return one target per actor, method and endpoint; destructive ones last."""
    found: dict[tuple[str, str, str], Target] = {}
    for actor, urls in seeds(world).items():
        for target in crawl(app, world, actor, urls):
            found.setdefault((target.actor, target.method, target.endpoint), target)
    targets = list(found.values())
    targets += route_targets(app, world, {t.endpoint for t in targets})
    targets.sort(key=lambda t: (bool(DESTRUCTIVE.search(t.endpoint)), t.actor == "anonymous"))
    return targets


def report(targets: list[Target], errors: list[str], seconds: float, detailed: bool) -> None:
    print(f"\nfuzz: {len(targets)} targets ({sum(t.discovered for t in targets)} from pages, "
          f"{sum(not t.discovered for t in targets)} from routes), {sum(t.tried for t in targets)} inputs, "
          f"{len(errors)} server errors, {seconds:.1f} s")
    for target in targets if detailed else ():
        print(f"  {target.tried:3d} inputs {len(target.errors):2d} errors  {target.actor:11s} "
              f"{target.method.upper():4s} {target.endpoint}")


def test_no_form_or_json_endpoint_answers_a_server_error(app, capsys, request):
    started = time.perf_counter()
    world = build_world(app)
    targets = collect_targets(app, world)
    for target in targets:
        fuzz(world, target)
    errors = [f"{t.actor} {t.method.upper()} {t.url} ({t.endpoint}): {e}" for t in targets for e in t.errors]
    posts = {r.endpoint for r in app.url_map.iter_rules() if "POST" in (r.methods or ())} - SKIP_ENDPOINTS
    with capsys.disabled():  # the figures, on every run (the table per target with -v)
        report(targets, errors, time.perf_counter() - started, request.config.getoption("verbose") > 0)
    assert posts - {t.endpoint for t in targets if t.method == "post"} == set(), "POST routes not fuzzed"
    assert errors == [], "\n".join(errors[:40])
