"""The measures, organised by what they measure; each takes a Source and a Selection.

- :mod:`~analytics.measures.volume`: articles per period and their share of coverage; headline figures
- :mod:`~analytics.measures.themes`: theme shares over time, by source country, and their changes
- :mod:`~analytics.measures.tone`: mean tone with intervals, its distribution, by theme, source, relation
- :mod:`~analytics.measures.sides`: the mirror view, each side's media on the pair
- :mod:`~analytics.measures.diversity`: distinct stories and outlets per period
- :mod:`~analytics.measures.spikes`: periods that break from the recent past, and what drove them

Every measure is a GROUP BY on the engine (:mod:`analytics.engine`) that returns a small frame;
pandas only lays the result out over the Selection's periods. Results follow the column lists of
:mod:`analytics.schema`; an empty selection gives an empty frame with those columns (or periods
with zero counts, where the span is known).
"""
