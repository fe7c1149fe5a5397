from lms import create_app
from lms.extensions import db


def test_healthz_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "disk": "ok"}


def test_healthz_database_down(tmp_path):
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/tidak/ada/db.sqlite3"})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] == "unreachable"


def test_not_found_page_is_indonesian(client):
    response = client.get("/tidak-ada")
    assert response.status_code == 404
    assert "Halaman tidak ditemukan" in response.get_data(as_text=True)


def test_not_found_json(client):
    response = client.get("/tidak-ada.json")
    assert response.status_code == 404 and response.get_json()["error"] == "Halaman tidak ditemukan"


def test_request_too_large_gets_indonesian_413(app, client):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    try:
        response = client.post("/login", data={"identifier": "x" * 4000, "password": "y"})
    finally:
        app.config["MAX_CONTENT_LENGTH"] = 10 * 1024 * 1024
    assert response.status_code == 413
    assert "Berkas terlalu besar" in response.get_data(as_text=True)


def test_server_error_page(app, tmp_path):
    broken = create_app({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x",
                         "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})

    @broken.get("/_boom")
    def _boom():
        raise RuntimeError("boom")

    response = broken.test_client().get("/_boom")
    with broken.app_context():
        db.engine.dispose()
    assert response.status_code == 500
    assert "Terjadi kesalahan" in response.get_data(as_text=True)


def test_bootstrap_is_served_locally(client):
    page = client.get("/login").get_data(as_text=True)
    # Under its content-hash address (lms/assets.py).
    assert "cdn.jsdelivr" not in page and "/assets/bootstrap/" in page
    css = page.split('/assets/bootstrap/')[1].split('"')[0]
    response = client.get("/assets/bootstrap/" + css)
    assert response.status_code == 200 and b"bootstrap" in response.data[:200].lower()
    response.close()
