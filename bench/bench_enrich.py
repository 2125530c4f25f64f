"""Enrichment throughput next to bare per-sentence VADER on the same texts, in the same run.

    python bench/bench_enrich.py [--articles 2000] [--repeat 5]

Texts are demo articles (title + body). "bare VADER" splits each English article into sentences
and scores every sentence, which is the tone step alone; "enrichment" is the whole of
analytics.enrich.enrich (language, countries and dyads, themes, tone). The target is a ratio of
at most 1.5 on English texts. Spanish texts are timed separately: they have no scorer yet, so
their enrichment has no VADER cost to compare against.
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
from analytics.enrich import enrich  # noqa: E402
from analytics.sentiment import english_analyzer, split_sentences  # noqa: E402


def bare_vader(docs: list[tuple[str, str]]) -> None:
    analyzer = english_analyzer()
    for title, text in docs:
        for sentence in split_sentences(f"{title}\n\n{text}"):
            analyzer.polarity_scores(sentence)


def full_enrichment(docs: list[tuple[str, str]]) -> None:
    for title, text in docs:
        enrich(title, text)


def timed(fn, docs, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn(docs)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=4000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    corpus = list(demo.generate(n=args.articles, seed=5, end=date(2026, 6, 30)))
    english = [(a.title, a.text) for a in corpus if a.language == "en"]
    spanish = [(a.title, a.text) for a in corpus if a.language == "es"]
    # Warm up: build the automata, the language models and VADER's lexicon before timing.
    full_enrichment(english[:50] + spanish[:50])
    bare_vader(english[:50])

    vader = timed(bare_vader, english, args.repeat)
    full = timed(full_enrichment, english, args.repeat)
    spanish_full = timed(full_enrichment, spanish, args.repeat)
    v, f, s = statistics.median(vader), statistics.median(full), statistics.median(spanish_full)
    print(f"English articles: {len(english)}; Spanish articles: {len(spanish)}; repeats: {args.repeat} (medians)")
    print(f"bare VADER per sentence (en):  {len(english) / v:8.0f} articles/s")
    print(f"full enrichment (en):          {len(english) / f:8.0f} articles/s")
    print(f"cost ratio enrichment / VADER: {f / v:8.2f}x  (target <= 1.5x)")
    print(f"full enrichment (es, no tone): {len(spanish) / s:8.0f} articles/s")
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
