"""The panel declarations: each plots a frame its page's bundle has, under a name used once on the page."""

from __future__ import annotations

import dataclasses

import pytest

from analytics import views
from analytics.measures.compare import Comparison
from analytics.measures.spikes import SpikeDrivers
from dashboard import panels

BUNDLES = [
    (panels.OVERVIEW, views.OverviewView),
    (panels.COVERAGE, views.CoverageView),
    (panels.THEMES, views.ThemesView),
    (panels.TONE, views.ToneView),
    (panels.SPIKES, views.SpikesView),
    (panels.COMPARE, Comparison),
]


def fields(bundle: type) -> set[str]:
    return {f.name for f in dataclasses.fields(bundle)}


@pytest.mark.parametrize(("page", "bundle"), BUNDLES, ids=lambda x: getattr(x, "name", None))
def test_every_panel_plots_a_frame_of_its_bundle(page, bundle):
    assert {spec.frame for spec in page.panels} | {page.counted[0]} <= fields(bundle)
    names = [spec.name for spec in page.panels]
    assert len(names) == len(set(names))
    assert all(set(spec.args) <= {"freq", "aligned"} and spec.method for spec in page.panels)


def test_the_spike_theme_mix_plots_the_drivers():
    assert panels.THEME_MIX_PANEL.frame in fields(SpikeDrivers)


def test_panel_names_are_the_download_names():
    # File names and widget keys (csv-volume, briefing links, browser tests) are made from these.
    assert [s.name for s in panels.COVERAGE.panels] == ["volume", "by-source", "mirror", "diversity"]
    assert [s.name for s in panels.TONE.panels] == [
        "tone", "net-tone", "tone-distribution", "tone-themes", "tone-sources", "relation-tone"
    ]  # fmt: skip
    assert [p.name for p in (panels.OVERVIEW, panels.SPIKES, panels.COMPARE)] == ["Overview", "Spikes", "Compare"]
