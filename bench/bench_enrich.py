"""Enrichment on real news text against bare per-sentence VADER on the same texts, per language.

    python bench/bench_enrich.py [--documents 1500] [--sentences 16] [--repeat 5] [--cpu]

Texts are the real articles shipped in bench/corpus/ (English Wikinews, Spanish AnCora newswire;
provenance and licences in bench/corpus/README.md). Their sentences are shuffled with a fixed seed
and recombined into --documents one-language documents of --sentences sentences each, so the
timed work is large enough to measure while every sentence is real news prose.

Per language, in each round and back to back (a noisy neighbour slows all alike):

- bare VADER: split each document on sentence ends and average vaderSentiment's compound over
  its sentences (the English lexicon, whatever the language: the cheapest tone a user could get);
- the language's scorer alone on the same documents' sentences, as the enrichment calls it
  (``analytics.sentiment.score_sentences``: VADER with our news overlay for English,
  analytics.tone_es for Spanish);
- the whole enrichment, ``analytics.enrich.enrich_many`` in batches of 500 as the store runs it
  (language, countries and pairs, themes, tone, relation tone).

Start-up is excluded: the detector, the automata and the lexicons are built before timing. Prints
medians of --repeat rounds and the median per-round ratios. Targets: the scorer <= 1.0x and the
enrichment <= 1.2x bare VADER, in each language.

Times are wall-clock seconds; ``--cpu`` times this process's CPU time instead
(``time.process_time``), which other processes on a busy machine disturb far less.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import resource
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer  # noqa: E402

from analytics.enrich import enrich_many  # noqa: E402
from analytics.sentiment import score_sentences, split_sentences  # noqa: E402

CORPUS = ROOT / "bench" / "corpus"
# The bare loop's sentence split: end punctuation followed by white space.
_ENDS = re.compile(r"(?<=[.!?])\s+")


def documents(language: str, count: int, size: int, seed: int = 2026) -> list[tuple[str, str]]:
    """``count`` documents of ``size`` real sentences of one language, recombined with a fixed seed."""
    sentences: list[str] = []
    for line in (CORPUS / f"{language}.jsonl").read_text(encoding="utf-8").splitlines():
        article = json.loads(line)
        body = f"{article['title']}\n\n{article['text']}" if article["title"] else article["text"]
        sentences += split_sentences(body)
    rng = random.Random(seed)
    out = []
    while len(out) < count:
        rng.shuffle(sentences)
        for i in range(0, len(sentences) - size + 1, size):
            out.append(("", " ".join(sentences[i : i + size])))
            if len(out) == count:
                break
    return out


def bare_vader(docs: list[tuple[str, str]], vader: SentimentIntensityAnalyzer) -> None:
    for _, text in docs:
        parts = _ENDS.split(text)
        sum(vader.polarity_scores(p)["compound"] for p in parts) / len(parts)


def scorer_alone(documents: list[list[str]], language: str) -> None:
    for sentences in documents:
        score_sentences(sentences, language)


def enrichment(docs: list[tuple[str, str]]) -> None:
    for i in range(0, len(docs), 500):
        enrich_many(docs[i : i + 500])


def timed(work, clock=time.perf_counter) -> float:
    started = clock()
    work()
    return clock() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--documents", type=int, default=1500)
    parser.add_argument("--sentences", type=int, default=16)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cpu", action="store_true", help="time process CPU time instead of wall time")
    args = parser.parse_args()
    clock = time.process_time if args.cpu else time.perf_counter
    vader = SentimentIntensityAnalyzer()
    print(f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}; medians of {args.repeat} rounds "
          f"of {'CPU' if args.cpu else 'wall'} time", flush=True)  # fmt: skip
    for language, name in (("en", "English"), ("es", "Spanish")):
        docs = documents(language, args.documents, args.sentences)
        sentences = [split_sentences(text) for _, text in docs]
        enrichment(docs[:100])  # start-up: detector, automata, lexicons
        bare_vader(docs[:100], vader)
        rounds = []
        for _ in range(args.repeat):
            bare = timed(lambda d=docs: bare_vader(d, vader), clock)
            alone = timed(lambda s=sentences, lang=language: scorer_alone(s, lang), clock)
            full = timed(lambda d=docs: enrichment(d), clock)
            rounds.append((bare, alone, full))
        bare, alone, full = (statistics.median(r[k] for r in rounds) for k in range(3))
        scorer_ratio = statistics.median(r[1] / r[0] for r in rounds)
        full_ratio = statistics.median(r[2] / r[0] for r in rounds)
        words = statistics.mean(len(text.split()) for _, text in docs)
        print(f"{name}: {len(docs)} documents of {args.sentences} real sentences ({words:.0f} words on average)")
        print(f"  bare VADER per sentence   {bare:6.2f} s  {len(docs) / bare:6.0f} documents/s")
        print(f"  {language} scorer alone          {alone:6.2f} s  {scorer_ratio:5.2f}x bare (target <= 1.0x)")
        print(f"  whole enrichment          {full:6.2f} s  {full_ratio:5.2f}x bare (target <= 1.2x); "
              f"{len(docs) / full:.0f} documents/s")  # fmt: skip
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; load {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
