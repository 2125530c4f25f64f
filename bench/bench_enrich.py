"""Enrichment throughput next to bare per-sentence VADER on the same texts, in the same run.

    python bench/bench_enrich.py [--articles 2000] [--repeat 5]

Texts are demo articles (title + body). "bare VADER" splits each article into sentences and
scores every sentence with the language's scorer (VADER, or our Spanish scorer built on it), which
is the tone step alone; "enrichment" is the whole of
analytics.enrich.enrich_many in batches of 500 as pulls store them (language, countries and dyads,
themes, tone). The target is a ratio of
at most 1.5.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from analytics import demo  # noqa: E402
from analytics.enrich import enrich_many  # noqa: E402
from analytics.sentiment import analyzer_for, split_sentences  # noqa: E402


def bare_vader(docs: list[tuple[str, str]], language: str = "en") -> None:
    analyzer = analyzer_for(language)
    for title, text in docs:
        for sentence in split_sentences(f"{title}\n\n{text}"):
            analyzer.polarity_scores(sentence)


def full_enrichment(docs: list[tuple[str, str]]) -> None:
    # Batches of 500, as the pipeline and `bilat enrich` run it.
    for i in range(0, len(docs), 500):
        enrich_many(docs[i : i + 500])


def paired(docs, repeat: int, language: str) -> tuple[float, float, float]:
    """Median seconds of bare VADER and of enrichment, and the median of their per-round ratio.

    The two run back to back in each round, so a noisy neighbour slows both alike.
    """
    vader, full, ratios = [], [], []
    for _ in range(repeat):
        t0 = time.perf_counter()
        bare_vader(docs, language)
        t1 = time.perf_counter()
        full_enrichment(docs)
        t2 = time.perf_counter()
        vader.append(t1 - t0)
        full.append(t2 - t1)
        ratios.append((t2 - t1) / (t1 - t0))
    return statistics.median(vader), statistics.median(full), statistics.median(ratios)


def report(label: str, docs: list[tuple[str, str]], repeat: int, language: str = "en") -> None:
    v, f, ratio = paired(docs, repeat, language)
    words = statistics.mean(len(f"{t} {x}".split()) for t, x in docs)
    print(f"{label}: {len(docs)} articles of {words:.0f} words on average")
    print(f"  bare tone scorer per sentence: {len(docs) / v:8.0f} articles/s")
    print(f"  full enrichment:               {len(docs) / f:8.0f} articles/s")
    print(f"  cost ratio enrichment / VADER: {ratio:8.2f}x  (median of {repeat} paired rounds; target <= 1.5x)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    corpus = list(demo.generate(n=args.articles, seed=5, end=date(2026, 6, 30)))
    english = [(a.title, a.text) for a in corpus if a.language == "en"]
    spanish = [(a.title, a.text) for a in corpus if a.language == "es"]
    # Warm up: build the automata, the language models and the tone lexicons before timing.
    full_enrichment(english[:50] + spanish[:50])
    bare_vader(english[:50])
    bare_vader(spanish[:50], "es")

    report("English demo articles", english, args.repeat)
    # Full-text articles: about 1,000 words each, made by joining the bodies of 20 demo articles.
    long_docs = [(english[i][0], " ".join(x for _, x in english[i : i + 20])) for i in range(0, len(english) - 20, 20)]
    report("English full texts", long_docs, args.repeat)
    report("Spanish demo articles (our Spanish scorer as the baseline)", spanish, args.repeat, "es")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
