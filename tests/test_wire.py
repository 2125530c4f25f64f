"""Wire copies: when two articles under the same title key tell the same story."""

from __future__ import annotations

from analytics.wire import same_story, title_key

OPENING = "LIMA (AP) - Peru and the United States agreed on Tuesday to widen their cooperation against drug trafficking"


def test_title_only_copies_group_with_each_other_and_with_the_full_copy():
    assert same_story("", "")
    # A GDELT copy (title only) and the RSS copy of the same story: the title decides.
    assert same_story("", OPENING) and same_story(OPENING, "")


def test_copies_with_text_group_only_when_their_openings_agree():
    assert same_story(OPENING, OPENING + " in the Amazon, officials said.")
    assert not same_story(OPENING, "Markets in Lima closed higher on Friday as copper prices rose sharply abroad")


def test_short_titles_never_group():
    assert title_key("En breve") is None
    assert title_key("Peru and US widen drug pact") == "peru and us widen drug pact"
