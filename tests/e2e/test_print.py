"""Print buttons work under the Content-Security-Policy (print.js, no inline onclick)."""

import pytest

from tests.conftest import create_training
from tests.e2e.conftest import log_in

pytestmark = pytest.mark.e2e


def test_agenda_print_button_prints(live_server, desktop, make_user):
    make_user(role="admin", email="admin@contoh.go.id")
    training = create_training("bimtek-cetak", title="Bimtek Cetak Agenda")
    desktop.add_init_script("window.print = function () { document.body.dataset.printed = 'ya'; };")
    desktop.goto(f"{live_server}/trainings/{training.slug}/agenda/print")
    log_in(desktop, "admin@contoh.go.id")
    desktop.wait_for_url(f"**/trainings/{training.slug}/agenda/print")
    desktop.get_by_role("button", name="Cetak").click()
    desktop.wait_for_function("document.body.dataset.printed === 'ya'", timeout=5000)
