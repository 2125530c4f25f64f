"""The Spanish/English interface: catalogue completeness, no untranslated labels, formats, the URL's ``ui``."""

from __future__ import annotations

import ast
from datetime import date
from pathlib import Path

import pytest

from analytics.i18n import (
    UI_LANGUAGES,
    _,
    current,
    format_date,
    format_number,
    format_percent,
    language,
    ngettext,
    normalise,
    plotly_separators,
    read_catalogue,
    set_language,
)
from analytics.schema import THEME_LABELS, theme_label
from tests.conftest import open_app

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted([*(ROOT / "dashboard").rglob("*.py"), *(ROOT / "analytics").rglob("*.py"), ROOT / "streamlit_app.py"])
UI_SOURCES = [p for p in SOURCES if p.name == "streamlit_app.py" or "dashboard" in p.relative_to(ROOT).parts]

# Streamlit calls whose first argument (or label) the visitor reads, whether called on ``st``, on
# ``st.sidebar`` or on a column or container.
LABELLED = {
    "title", "header", "subheader", "caption", "markdown", "write", "text", "info", "warning", "error", "success",
    "toast", "button", "download_button", "link_button", "page_link", "form_submit_button", "selectbox",
    "multiselect", "radio", "checkbox", "toggle", "segmented_control", "pills", "slider", "select_slider",
    "date_input", "time_input", "text_input", "text_area", "number_input", "file_uploader", "color_picker",
    "expander", "popover", "tabs", "metric", "spinner", "status", "Page",
}  # fmt: skip


def _where(path: Path, node: ast.AST) -> str:
    return f"{path.relative_to(ROOT)}:{node.lineno}"


def _name(func: ast.expr) -> str:
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""


def marked_messages() -> tuple[dict[str, str], dict[tuple[str, str], str], list[str]]:
    """Every literal passed to _(), N_() and ngettext() in the sources, with where it is first used;
    and the calls whose message is not a plain literal (an f-string cannot be in a catalogue)."""
    singles: dict[str, str] = {}
    plurals: dict[tuple[str, str], str] = {}
    unusable = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or _name(node.func) not in ("_", "N_", "ngettext") or not node.args:
                continue
            args = node.args[:2] if _name(node.func) == "ngettext" else node.args[:1]
            if any(isinstance(a, ast.JoinedStr) for a in args):
                unusable.append(f"{_where(path, node)}: an f-string in {_name(node.func)}(); use .format() after it")
                continue
            if not all(isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                continue  # a variable holding a message marked elsewhere, e.g. _(spec.title)
            if _name(node.func) == "ngettext":
                plurals.setdefault((args[0].value, args[1].value), _where(path, node))
            else:
                singles.setdefault(args[0].value, _where(path, node))
    return singles, plurals, unusable


def test_every_marked_message_is_in_both_catalogues():
    singles, plurals, unusable = marked_messages()
    assert len(singles) > 100 and "Filters" in singles and "Security & drugs" in singles  # the walk finds them
    problems = list(unusable)
    for ui in UI_LANGUAGES:
        catalogue = read_catalogue(ui)
        for msgid, where in [*singles.items(), *plurals.items()]:
            key = msgid[0] if isinstance(msgid, tuple) else msgid
            message = catalogue.get(key)
            if message is None:
                problems.append(f"{where}: {msgid!r} is missing from the {ui} catalogue")
            elif ui == "es" and not (all(message.string) if isinstance(msgid, tuple) else message.string):
                problems.append(f"{where}: {msgid!r} has no Spanish translation (empty msgstr)")
            elif isinstance(msgid, tuple) and message.id != msgid:
                problems.append(f"{where}: {msgid!r} has another plural in the {ui} catalogue: {message.id!r}")
    assert not problems, "\n".join(problems)


def _literal_text(node: ast.expr | None) -> bool:
    """Whether a label argument is (or contains) text typed in the code rather than a translation."""
    if isinstance(node, ast.Constant):
        return isinstance(node.value, str) and any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_literal_text(part) for part in node.values)
    if isinstance(node, ast.IfExp):
        return _literal_text(node.body) or _literal_text(node.orelse)
    if isinstance(node, ast.BinOp):
        return _literal_text(node.left) or _literal_text(node.right)
    if isinstance(node, ast.List | ast.Tuple):
        return any(_literal_text(e) for e in node.elts)
    return False


def bare_labels() -> list[str]:
    """Streamlit calls in the dashboard whose label is typed text not wrapped in _()."""
    offenders = []
    for path in UI_SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            if node.func.attr not in LABELLED:
                continue
            labels = [node.args[0]] if node.args and node.func.attr != "Page" else []  # a Page's is its file
            labels += [k.value for k in node.keywords if k.arg in ("label", "title", "body")]
            if any(_literal_text(label) for label in labels):
                offenders.append(f"{_where(path, node)}: {ast.unparse(node)[:100]}")
    return offenders


def test_the_bare_label_check_finds_bare_labels(tmp_path, monkeypatch):
    code = (
        'st.header("Filters")\nst.sidebar.header(_("Filters"))\ncol.button(f"Save {n}")\nst.tabs(["A", _("B")])\n'
        'st.Page("pages/a.py", title=_("A"))\nst.Page("pages/b.py", title="B")\nst.markdown("---")\n'
    )
    (tmp_path / "page.py").write_text(code)
    monkeypatch.setattr(f"{__name__}.UI_SOURCES", [tmp_path / "page.py"])
    monkeypatch.setattr(f"{__name__}.ROOT", tmp_path)
    assert [o.split(":")[1] for o in bare_labels()] == ["1", "3", "4", "6"]


def test_no_label_in_the_dashboard_is_left_untranslated():
    offenders = bare_labels()
    assert not offenders, "wrap these labels in _():\n" + "\n".join(offenders)


def test_numbers_dates_and_chart_separators_follow_the_language():
    day = date(2026, 12, 3)
    with language("en"):
        assert (format_number(1234.5, 1), format_number(1234567), format_percent(0.256)) == (
            "1,234.5",
            "1,234,567",
            "26%",
        )
        assert (format_percent(0.2567, 1), format_number(None)) == ("25.7%", "–")
        assert (format_date(day), format_date(day, "long"), plotly_separators()) == (
            "Dec 3, 2026",
            "December 3, 2026",
            ".,",
        )
    with language("es"):
        assert (format_number(1234.5, 1), format_number(1234567), format_percent(0.256)) == (
            "1.234,5",
            "1.234.567",
            "26\xa0%",
        )
        assert format_percent(0.2567, 1) == "25,7\xa0%"
        assert (format_date(day), format_date(day, "long"), plotly_separators()) == (
            "3 dic 2026",
            "3 de diciembre de 2026",
            ",.",
        )
    assert current() == "en"  # the block restored the language
    assert format_number(float("nan")) == "–"


def test_messages_follow_the_language_and_fall_back_to_english():
    with language("es"):
        assert _("Filters") == "Filtros" and theme_label("security") == "Seguridad y narcotráfico"
        assert ngettext("{n} article", "{n} articles", 1).format(n=1) == "1 artículo"
        assert ngettext("{n} article", "{n} articles", 3).format(n=3) == "3 artículos"
        assert _("A message nobody wrote down") == "A message nobody wrote down"
        assert theme_label("not-a-theme") == "not-a-theme"
        with language("en"):
            assert _("Filters") == "Filters" and theme_label("security") == THEME_LABELS["security"]
        assert current() == "es"
    assert ngettext("{n} article", "{n} articles", 1) == "{n} article"


def test_set_language_defaults_to_english_for_an_unknown_value():
    try:
        assert set_language("es-PE") == "es" and current() == "es"
        assert set_language("fr") == "en" and current() == "en"
    finally:
        set_language("en")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("es", "es"), ("ES", "es"), ("es-PE", "es"), ("es_PE", "es"), (" es-419 ", "es"), ("es-PE,en;q=0.8", "es"),
     ("en", "en"), ("en-US", "en"), ("en_GB", "en"), ("fr", None), ("esp", None), ("", None), (None, None),
     (["es"], None), ("-es", None)],
)  # fmt: skip
def test_normalise(value, expected):
    assert normalise(value) == expected


def _sidebar_labels(at) -> set[str]:
    return {w.label for kind in ("selectbox", "multiselect", "toggle", "date_input") for w in at.sidebar.get(kind)}


def test_the_link_language_shows_spanish_or_english(demo_db, use_db):
    use_db(demo_db)
    at = open_app({"ui": "es", "pair": "PER-USA"})
    assert {"Par de países", "Temas", "País de origen", "Contar una sola vez las copias de agencia"} <= (
        _sidebar_labels(at)
    )
    assert at.sidebar.header[0].value == "Filtros" and at.title[0].value == "Resumen"
    assert at.segmented_control(key="_bilat_ui").value == "es"
    assert at.query_params["ui"] in ("es", ["es"])  # written back, so a copied link keeps its language
    at.switch_page("dashboard/pages/coverage.py").run()  # the session keeps its language on another page
    assert not at.exception and at.title[0].value == "Cobertura" and at.sidebar.header[0].value == "Filtros"

    at = open_app({"ui": "en", "pair": "PER-USA"})
    assert {"Country pair", "Themes", "Source country", "Count wire copies once"} <= _sidebar_labels(at)
    assert at.sidebar.header[0].value == "Filters" and at.title[0].value == "Overview"
    at.segmented_control(key="_bilat_ui").set_value("es").run()  # the sidebar switch
    assert not at.exception and at.title[0].value == "Resumen" and at.query_params["ui"] in ("es", ["es"])


def _run_with_browser_locale(locale: str, query: dict):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.context = {"locale": locale}
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def test_without_ui_in_the_link_the_browser_language_decides(demo_db, use_db):
    use_db(demo_db)
    at = _run_with_browser_locale("es-PE", {})
    assert at.sidebar.header[0].value == "Filtros" and at.query_params["ui"] in ("es", ["es"])
    assert _run_with_browser_locale("es-PE", {"ui": "en"}).sidebar.header[0].value == "Filters"  # the link wins
    assert _run_with_browser_locale("fr-FR", {}).sidebar.header[0].value == "Filters"


def test_the_chart_period_in_a_link_is_written_in_the_links_language(demo_db, use_db):
    use_db(demo_db)
    at = open_app({"ui": "es", "freq": "mes"})
    assert at.segmented_control(key="freq").value == "month"
    assert not [w for w in at.sidebar.warning if "enlace" in w.value]  # no note about the link
    at = open_app({"ui": "es", "freq": "month"})  # an English period in a Spanish link: said, then weeks
    assert at.segmented_control(key="freq").value == "week"
    assert any("periodo de gráfico 'month'" in w.value for w in at.sidebar.warning)


def test_a_broken_catalogue_is_a_one_line_error(tmp_path, monkeypatch):
    import analytics.i18n as i18n
    from analytics.errors import InputError

    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "a.po").write_text('msgid "Filters"\nmsgstr "Filtros"\n', encoding="utf-8")
    (folder / "b.po").write_text(
        'msgid "Filters"\nmsgstr "Otro"\nmsgid "Reset"\nmsgstr "Restablecer"\n', encoding="utf-8"
    )
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    merged = read_catalogue("es")
    assert (merged["Filters"].string, merged["Reset"].string) == ("Filtros", "Restablecer")  # the first file wins
    (folder / "c.po").write_text('msgid "Filters"\nmsgstr "Filtros"\nFilters = Filtros\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"c\.po: cannot read this message catalogue") as error:
        read_catalogue("es")
    assert "\n" not in str(error.value)


def test_the_dashboard_shows_a_broken_catalogue_as_its_message(tmp_path, monkeypatch, demo_db, use_db):
    import analytics.i18n as i18n

    use_db(demo_db)
    folder = tmp_path / "es" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "shell.po").write_text('msgid "Filters"\nFilters = Filtros\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    i18n.reload_catalogues()
    try:
        at = open_app({"ui": "es"})
        assert "shell.po: cannot read this message catalogue" in at.error[0].value and not at.sidebar.header
    finally:
        monkeypatch.undo()
        i18n.reload_catalogues()
