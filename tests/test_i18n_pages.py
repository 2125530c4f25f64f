"""The pages, their charts, the briefing report and the chart files in Spanish (``?ui=es``).

Each page is opened through AppTest with ``ui=es`` and must show its own Spanish headings, labels
and chart titles; the report made under ``language("es")`` must say ``lang="es"`` and carry Spanish
titles, and the English report must stay English.
"""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from analytics import engine, views
from analytics.filters import Filters
from analytics.i18n import _, current, language
from analytics.store import Store
from dashboard import coverage_charts, methods, theme_charts, tone_charts
from dashboard.briefing import SUMMARY_NAME, BriefingView, Panel, briefing_html, briefing_zip, summary_markdown
from dashboard.images import html_bytes, rationed
from tests.conftest import JAN, chart_specs, open_app

RANGE = {"from": "2026-01-01", "to": "2026-06-30"}
ES = {"ui": "es", **RANGE}


def spanish(page: str, **query: object):
    return open_app({**ES, **query}, page=f"dashboard/pages/{page}.py")


def captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_overview_in_spanish(demo_db, use_db):
    use_db(demo_db)
    at = spanish("overview")
    metrics = {m.label: m.value for m in at.metric}
    assert {"Artículos", "Proporción de la cobertura", "Tono medio", "Artículos con puntaje de tono"} == set(metrics)
    assert re.fullmatch(r"[+-]\d,\d\d", metrics["Tono medio"])  # a decimal comma
    assert re.fullmatch(r"\d+,\d\xa0%", metrics["Proporción de la cobertura"])
    charts = chart_specs(at)
    assert set(charts) == {"Volumen de cobertura por semana", "Temas", "Tono por semana"}
    assert charts["Temas"]["layout"]["separators"] == ",."
    assert "Seguridad y narcotráfico" in charts["Temas"]["data"][0]["y"]
    volume = charts["Volumen de cobertura por semana"]
    assert [t["name"] for t in volume["data"]] == ["Artículos", "Proporción de toda la cobertura"]
    assert volume["data"][0]["hovertemplate"].startswith("%{y:,} artículos de %{customdata:,}")
    assert [b.label for b in at.get("download_button")][-2:] == ["Paquete informativo (ZIP)", "Informe (HTML)"]


def test_coverage_in_spanish_and_its_cached_note_follows_the_language(demo_db, use_db):
    use_db(demo_db)
    english = open_app(RANGE, page="dashboard/pages/coverage.py")  # fills the note's cache in English first
    assert any("different tone scorers" in c for c in captions(english))
    at = spanish("coverage")
    note = [c for c in captions(at) if "puntuadores de tono distintos" in c]
    assert note == [
        "Los dos lados se leen con puntuadores de tono distintos (los medios de PER, sobre todo en español y "
        "los medios de USA, sobre todo en inglés): compare su tono como tendencia, no como nivel."
    ]
    charts = chart_specs(at)
    assert set(charts) == {
        "Volumen de cobertura por semana", "Cobertura por país de origen, por semana",
        "Vista espejo: los medios de cada lado sobre la relación", "Diversidad de medios por semana",
    }  # fmt: skip
    mirror = charts["Vista espejo: los medios de cada lado sobre la relación"]
    assert {t["name"] for t in mirror["data"]} == {"Medios de PER", "Medios de USA"}


def test_themes_and_tone_in_spanish(demo_db, use_db):
    use_db(demo_db)
    themes = chart_specs(spanish("themes"))
    assert set(themes) == {
        "Temas por semana",
        "Temas por país de origen",
        "Temas que suben y bajan frente al periodo anterior",
    }
    assert "Seguridad y narcotráfico" in {t["name"] for t in themes["Temas por semana"]["data"]}
    assert themes["Temas por país de origen"]["layout"]["xaxis"]["title"]["text"] == "País de origen"

    at = spanish("tone")
    with language("es"):
        use = _(methods.TONE_USE)
    assert use != methods.TONE_USE and use in captions(at)
    charts = chart_specs(at)
    assert {"Tono por semana", "Tono neto por semana", "Distribución del tono de los artículos", "Tono por tema",
            "Tono por país de origen", "Tono de la relación y tono del artículo por semana"} == set(charts)  # fmt: skip
    names = [t["name"] for t in charts["Tono por semana"]["data"]]
    assert names == ["Intervalo de confianza del 95 %", "Tono medio"]
    histogram = charts["Distribución del tono de los artículos"]["data"][0]
    assert histogram["customdata"][0] == "-1,00 a -0,90" and histogram["hovertemplate"].endswith(
        "artículos<extra></extra>"
    )


def test_spikes_in_spanish(demo_db, use_db):
    use_db(demo_db)
    at = spanish("spikes", **{"from": "2025-07-01"})
    assert "Picos detectados" in [s.value for s in at.subheader]
    charts = chart_specs(at)
    assert set(charts) == {
        "Volumen de cobertura por semana, con los picos marcados",
        "Tono por semana, con los cambios marcados",
    }
    chooser = at.selectbox(key="spike")
    assert chooser.label == "Qué impulsó la semana que empieza el" and chooser.options
    chooser.set_value(chooser.options[0]).run()
    assert not at.exception
    assert at.subheader[-1].value.startswith("Qué impulsó del ")
    assert any("en los 28 días anteriores" in c for c in captions(at))
    assert at.button(key="spike-articles").label == "Abrir estos artículos"


def test_articles_compare_and_data_in_spanish(demo_db, use_db):
    use_db(demo_db)
    at = spanish("articles")
    assert at.text_input(key="q").label == "Buscar artículos"
    assert "Seleccione una fila para ver por qué el artículo recibió sus países, temas y tono." in captions(at)
    assert re.search(r" — [\d.]+ artículos", captions(at)[0])

    at = spanish("compare")
    assert at.radio(key="cmp").label == "Comparar" and list(at.radio(key="cmp").options) == [
        "dos pares",
        "dos periodos",
    ]
    assert at.selectbox(key="pair2").label == "Segundo par de países (B)"
    assert {"Volumen de cobertura por semana", "Temas", "Tono por semana"} == set(chart_specs(at))
    at.radio(key="cmp").set_value("two periods").run()  # the URL keeps the English value
    assert not at.exception and at.date_input(key="from2").label == "B desde"

    at = open_app({"ui": "es"}, page="dashboard/pages/data.py")
    assert "Artículos almacenados" in {m.label for m in at.metric}
    assert {"Fuentes", "Descargas recientes", "Mantener los datos al día"} <= {s.value for s in at.subheader}


def test_english_pages_stay_english(demo_db, use_db):
    use_db(demo_db)
    at = open_app({"ui": "en", **RANGE}, page="dashboard/pages/spikes.py")
    assert "Spikes found" in [s.value for s in at.subheader]
    assert "Coverage volume per week, spikes marked" in chart_specs(at)


FILTERS = Filters(dyad="PER-USA", start=JAN[0], end=JAN[1])
VIEW = BriefingView(
    filters=FILTERS, view_name="Overview", data_timestamp="2026-01-19T06:00:00+00:00",
    enrichment_version="1-3f9a2c1b", demo=True, first="2026-01-05", last="2026-01-12",
)  # fmt: skip


def chart_panels(tiny) -> list[Panel]:
    """Two panels drawn in the current language, as the dashboard draws them."""
    bundle = views.overview(engine.from_frames(*tiny), FILTERS, "W")
    subtitle = FILTERS.describe()
    return [
        Panel("volume", _("Coverage volume"), coverage_charts.volume_chart(bundle.volume, subtitle=subtitle, freq="W"),
              bundle.volume, "volume"),
        Panel("themes", _("Themes"), theme_charts.theme_chart(bundle.theme_totals, subtitle=subtitle),
              bundle.theme_totals, "themes"),
    ]  # fmt: skip


def test_the_report_is_built_in_the_language_current_when_called(tiny):
    with language("es"):
        page = briefing_html(chart_panels(tiny), VIEW).decode("utf-8")
        summary = summary_markdown(chart_panels(tiny), VIEW).decode("utf-8")
    assert '<html lang="es">' in page
    assert "<title>Paquete informativo: Resumen</title>" in page
    assert "Volumen de cobertura por semana" in page and '"separators":",."' in page  # the chart's own title
    assert "<dt>Periodo graficado</dt><dd>2026-01-05 a 2026-01-12</dd>" in page
    assert "DATOS DE DEMOSTRACIÓN — artículos inventados: estos gráficos no describen cobertura real." in page
    assert re.search(r"<summary>Datos graficados \(\d+ filas?, también en PER-USA_volume_", page)
    assert "Briefing pack" not in page and "Period plotted" not in page
    assert summary.startswith("# Paquete informativo: Resumen\n")
    assert "- Periodo graficado: 2026-01-05 a 2026-01-12" in summary

    english = briefing_html(chart_panels(tiny), VIEW).decode("utf-8")
    assert '<html lang="en">' in english and "Coverage volume per week" in english
    assert "<title>Briefing pack: Overview</title>" in english and "Paquete" not in english
    # An explicit language (``bilat report --ui es``) wins over the current one, for the report's own texts.
    assert '<html lang="es">' in briefing_html(chart_panels(tiny), VIEW, ui="es").decode("utf-8")
    assert current() == "en"


def test_the_pack_asked_for_in_spanish_is_spanish_throughout(tiny):
    with language("es"):
        panels = chart_panels(tiny)
    pack = zipfile.ZipFile(io.BytesIO(briefing_zip(panels, VIEW, ui="es")))  # called in English, as a button's callable
    summary = pack.read(SUMMARY_NAME).decode("utf-8")
    assert summary.startswith("# Paquete informativo: Resumen\n") and "Archivos: `PER-USA_volume_" in summary
    report = pack.read("report.html").decode("utf-8")
    assert '<html lang="es">' in report and "Volumen de cobertura por semana" in report
    chart = pack.read("PER-USA_volume_2026-01-05_2026-01-18.html").decode("utf-8")
    assert '<html lang="es">' in chart and "<title>Volumen de cobertura: Resumen</title>" in chart
    assert current() == "en"


def test_chart_files_and_refusals_keep_the_language_of_the_run_that_offered_them(tiny):
    with language("es"):
        figure = chart_panels(tiny)[0].figure
        offered = rationed(lambda: _("Net tone").encode())  # a download button's callable
    # Streamlit runs the callable later, outside the script run that set the language.
    assert current() == "en" and offered() == b"Tono neto"
    assert '<html lang="es">' in html_bytes(figure, title="x", lang="es").decode("utf-8")
    with language("es"):
        assert '<html lang="es">' in html_bytes(figure, title="x").decode("utf-8")
    assert '<html lang="en">' in html_bytes(figure, title="x").decode("utf-8")


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_chart_titles_name_the_period_in_spanish(tiny, freq):
    frame = views.tone_view(engine.from_frames(*tiny), FILTERS, freq).net
    with language("es"):
        title = tone_charts.net_tone_chart(frame, subtitle="s", freq=freq).layout.title.text
    assert title.startswith({"D": "Tono neto por día", "W": "Tono neto por semana", "M": "Tono neto por mes"}[freq])


def test_the_scorer_note_is_translated_where_it_is_made(demo_db):
    with Store(demo_db) as store:
        source = engine.from_frames(*store.load_frames())
    with language("es"):
        note = views.scorer_note(source, "PER-USA")
    assert note is not None and note.startswith("Los dos lados se leen con puntuadores de tono distintos")
    assert views.scorer_note(source, "PER-USA").startswith("The two sides are read by different tone scorers")


def test_spanish_date_axes_are_numeric_day_first_and_english_ones_are_plotlys():
    import pandas as pd

    weeks = pd.DataFrame({"period": pd.to_datetime(["2026-01-05", "2026-01-12"]), "articles": [3, 4],
                          "all_articles": [5, 6], "share": [0.6, 0.66]})  # fmt: skip
    with language("es"):
        spanish = coverage_charts.volume_chart(weeks, subtitle="x", freq="W")
    formats = [(s.dtickrange, s.value) for s in spanish.layout.xaxis.tickformatstops]
    assert formats == [((None, "M1"), "%d/%m/%Y"), (("M1", "M12"), "%m/%Y"), (("M12", None), "%Y")]
    assert spanish.layout.xaxis.hoverformat == "%d/%m/%Y"
    english = coverage_charts.volume_chart(weeks, subtitle="x", freq="W")
    assert not english.layout.xaxis.tickformatstops and english.layout.xaxis.hoverformat is None
    themes = pd.DataFrame({"theme": ["trade", "security"], "share": [0.4, 0.2], "articles": [4, 2]})
    with language("es"):  # themes on the axis, not dates: left alone
        assert not theme_charts.theme_chart(themes, subtitle="x").layout.xaxis.tickformatstops
