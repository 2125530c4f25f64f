"""How each figure is computed, in a paragraph a policy officer can paste under a chart.

The same text appears under the chart ("How this is computed"), in the briefing pack's summary and
in the HTML report; the README's methodology section says the same at more length. Each is the
English msgid of its Spanish version in the catalogue (``data/locales``): show it through ``_()``.
"""

from analytics.i18n import N_

VOLUME = N_(
    "Articles assigned to the selected country pair (or country), counted per UTC day, week (from Monday) "
    "or calendar month. The line is their share of all stored articles in the same period from the same "
    "source countries, outlets and languages. An article belongs to a pair when both countries are among its "
    "principal countries (mentions weighted 3 in the title, 1 in the body). The first and last periods may be "
    "partial. Shares depend on which sources the store collects."
)
THEME_TOTALS = N_(
    "Share of the selected articles tagged with each theme by the bilingual theme lexicon (a theme is tagged "
    "when the weights of its matched terms reach the threshold). An article can have several themes, so the "
    "shares add up to more than 100%."
)
THEME_SHARES = N_(
    "Per period, the share of the selected articles tagged with each theme. Themes overlap, so a period's "
    "shares can add up to more than 100%."
)
TONE = N_(
    "Mean tone of the selected articles per period: each sentence is scored with VADER (English) or our Spanish "
    "scorer built on VADER's rules, an article's tone is the mean of its sentences (−1 to +1), and the band is "
    "the 95% confidence interval of the period's mean (t distribution; none when fewer than two articles). "
    "Articles in other languages are not scored. Tone measures the wording, not a stance on the relationship."
)
NET_TONE = N_(
    "Net tone per period: the share of the selected scored articles that read positive (tone 0.05 or more) "
    "minus the share that read negative (−0.05 or less), from −100% (all negative) to +100%; the band is its "
    "95% confidence interval. Mean tone weighs how strongly articles are worded; net tone counts how many lean "
    "each way, so one strongly worded article moves it no more than a mild one. Measured on the labelled "
    "evaluation set, both follow the labels closely over periods of 100 articles (bilat evaluate)."
)
# One line above the Tone page's charts: what the scores can and cannot carry.
TONE_USE = N_(
    "Tone is for trends: how coverage of one pair, in one language and theme, moves over time. It is not a "
    "verdict on any single article, and levels are not comparable across themes or scorers."
)
BY_SOURCE = N_(
    "The selected articles per period, stacked by the country of the outlet that published them (the source "
    "country from the sources file). Outlets whose country is unknown are shown as 'unknown'."
)
MIRROR = N_(
    "For the pair A–B: A's media on the relationship as a share of everything A's media published in the period, "
    "and the same for B. Normalising by each country's own total corrects for how many outlets of each country "
    "the store collects; it does not correct for how many outlets each country has."
)
DIVERSITY = N_(
    "Per period: the selected articles; the distinct stories, counting an agency story reprinted by several "
    "outlets once (articles with the same normalised title within two days and overlapping opening text); "
    "and the number of distinct outlets."
)
THEME_STACK = N_(
    "Per period, the selected articles tagged with each theme, stacked. An article tagged with two themes counts "
    "in both, so the stack can be taller than the number of articles; hover shows each theme's share of the "
    "period's articles."
)
THEME_SOURCE = N_(
    "For each source country, the share of its selected articles tagged with each theme. Compare rows to see "
    "which themes each side's media lead with; cells over few articles are noisy."
)
THEME_CHANGES = N_(
    "Each theme's share of the selected articles in the chosen range minus its share in the range of equal "
    "length just before, in percentage points."
)
TONE_DISTRIBUTION = N_(
    "How many scored articles fall in each tenth of the tone scale. Negative bins are vermillion, positive "
    "bins blue; the two bins around zero are grey because they hold the neutral articles (−0.05 to 0.05)."
)
TONE_BY_THEME = N_(
    "Mean tone of the scored articles tagged with each theme, with its 95% confidence interval (t distribution). "
    "An article with several themes counts in each. Compare a theme with itself over time rather than themes "
    "with each other: on our labelled sets the word-based scorers read trade and diplomacy news as more positive, "
    "and governance and culture news as more neutral, than analysts do (`bilat evaluate` prints this per theme)."
)
TONE_BY_SOURCE = N_(
    "Mean tone of the scored articles from each source country's media, with its 95% confidence interval."
)
RELATION_TONE = N_(
    "Relation tone is the mean tone of the sentences that mention either country of the pair, article by article; "
    "article tone is the mean over all sentences. The two differ when articles about the pair are mostly about "
    "something else."
)
SPIKE_RULE = N_(
    "A week is flagged when its article count stands out from the 8 weeks before it, a day when it stands out "
    "from the 28 days before it: a robust z-score (median and median absolute deviation, on a square-root "
    "scale) above 3.5, with at least 5 articles. A tone shift is a period whose mean tone differs from the "
    "window's by a z-score beyond ±3, with at least 10 scored articles in the period and in the window."
)
SPIKE_VOLUME = N_(
    "Articles assigned to the selection per UTC day or week (from Monday); stars mark volume spikes. A period "
    "is compared with the 28 days or 8 weeks just before it (itself excluded): counts are put on Anscombe's "
    "square-root scale, 2·√(x + 3/8), the score is the period's distance from the window's median divided by "
    "1.4826 times the window's median absolute deviation (at least 1, the Poisson noise), and a period is a "
    "spike when the score exceeds 3.5 and it has at least 5 articles. Roughly: 4x a median of 3, 2x a median "
    "of 20. A period is judged once half its window exists; earlier spikes barely move the median. A multi-day "
    "event gives one mark per period it lifts."
)
SPIKE_TONE = N_(
    "Mean tone of the selected articles per UTC day or week with its 95% confidence interval (VADER per sentence, "
    "English and Spanish; other languages unscored); triangles mark tone shifts, up or down. The score is the "
    "two-sample z of the period's mean tone against the mean and standard deviation (at least 0.05) of the "
    "scored articles of the 28 days or 8 weeks before it; a shift needs |z| > 3 and at least 10 scored articles "
    "in the period and in the window. Tone measures the wording, not a stance on the relationship."
)
SPIKE_THEMES = N_(
    "Share of the spike's articles tagged with each theme against the same share over the 28 days before the "
    "spike (the baseline), themes that rose most first. Themes overlap, so shares add up to more than 100%."
)
COMPARE_VOLUME = N_(
    "Articles assigned to each side's selection per UTC day, week (from Monday) or calendar month. When two "
    "periods are compared, each side's periods are numbered from its first, so the lines start together; the "
    "hover gives the dates. The first and last periods may be partial, and shares of coverage depend on the "
    "sources the store collects."
)
COMPARE_THEMES = N_(
    "Share of each side's articles tagged with each theme by the bilingual theme lexicon. An article can have "
    "several themes, so a side's shares add up to more than 100%. Shares over few articles are noisy."
)
COMPARE_TONE = N_(
    "Mean tone of each side's scored articles per period (VADER per sentence, English and Spanish; other "
    "languages unscored), with n and the 95% confidence interval in the hover. Tone measures the wording, "
    "not a stance on the relationship."
)
