"""The dashboard's one error boundary: a bilat error becomes its message on the page, never a traceback."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from tests.conftest import open_app


def test_a_file_that_is_not_a_store_is_a_message_not_a_traceback(tmp_path, use_db):
    path = tmp_path / "notes.sqlite"
    path.write_bytes(b"minutes of the embassy meeting, not a database\n" * 100)
    before = path.read_bytes()
    use_db(path)
    at = open_app()
    assert not at.exception
    assert len(at.error) == 1
    message = at.error[0].value
    assert "notes.sqlite" in message or "store" in message.lower()
    assert "Traceback" not in message
    assert path.read_bytes() == before  # nothing was written over the user's file


def test_a_dataset_that_cannot_be_built_is_a_message(tmp_path, use_db, demo_db):
    import shutil

    db = tmp_path / "demo.sqlite"
    shutil.copy(demo_db, db)
    # A file where the dataset folder should be: the dashboard cannot build the dataset next to the store.
    (tmp_path / "demo.sqlite.dataset").write_text("in the way", encoding="utf-8")
    use_db(db)
    at: AppTest = open_app()
    assert not at.exception
    assert at.error, "the page shows why there are no figures"
    assert "dataset" in at.error[0].value.lower()
