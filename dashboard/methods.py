"""How each figure is computed, in a paragraph a policy officer can paste under a chart.

The same text appears under the chart ("How this is computed"), in the briefing pack's summary and
in the HTML report; the README's methodology section says the same at more length.
"""

VOLUME = (
    "Articles assigned to the selected country pair (or country), counted per UTC day, week (from Monday) "
    "or calendar month. The line is their share of all stored articles in the same period from the same "
    "source countries, outlets and languages. An article belongs to a pair when both countries are among its "
    "principal countries (mentions weighted 3 in the title, 1 in the body). The first and last periods may be "
    "partial. Shares depend on which sources the store collects."
)
THEME_TOTALS = (
    "Share of the selected articles tagged with each theme by the bilingual theme lexicon (a theme is tagged "
    "when the weights of its matched terms reach the threshold). An article can have several themes, so the "
    "shares add up to more than 100%."
)
THEME_SHARES = (
    "Per period, the share of the selected articles tagged with each theme. Themes overlap, so a period's "
    "shares can add up to more than 100%."
)
TONE = (
    "Mean tone of the selected articles per period: each sentence is scored with VADER (English) or our Spanish "
    "scorer built on VADER's rules, an article's tone is the mean of its sentences (−1 to +1), and the band is "
    "the 95% confidence interval of the period's mean (t distribution; none when fewer than two articles). "
    "Articles in other languages are not scored. Tone measures the wording, not a stance on the relationship."
)
