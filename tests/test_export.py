"""CSV bytes and file names of downloads."""

from __future__ import annotations

import csv
import io
from datetime import date

import pandas as pd

from analytics.filters import Filters
from dashboard.export import csv_bytes, file_name


def test_csv_neutralises_formulas_but_keeps_numbers():
    frame = pd.DataFrame(
        {
            "period": pd.to_datetime(["2026-01-05", "2026-01-12"]),
            "title": ['=HYPERLINK("http://x")', "Peru–US talks"],
            "outlet": pd.Categorical(["@wire", "+Lima"]),
            "tone": [-0.25, 0.5],
        }
    )
    data = csv_bytes(frame)
    assert data.startswith("\ufeff".encode())  # the byte-order mark that makes Excel read UTF-8
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows == [
        ["period", "title", "outlet", "tone"],
        ["2026-01-05", '\'=HYPERLINK("http://x")', "'@wire", "-0.25"],
        ["2026-01-12", "Peru–US talks", "'+Lima", "0.5"],
    ]
    assert frame["title"].iloc[0].startswith("=")  # the input frame is untouched


def test_file_names_say_what_and_for_which_view():
    f = Filters(dyad="PER-USA", start=date(2026, 1, 1), end=date(2026, 6, 30))
    assert file_name("volume", f, "csv") == "PER-USA_volume_2026-01-01_2026-06-30.csv"
    g = Filters(dyad="MEX-USA", themes=("migration", "security"))
    assert file_name("tone", g, "png", first="2025-01-06", last="2026-06-29") == (
        "MEX-USA_tone_migration+security_2025-01-06_2026-06-29.png"
    )
    assert file_name("themes", Filters(country="PER"), "csv") == "PER-any_themes_start_end.csv"
