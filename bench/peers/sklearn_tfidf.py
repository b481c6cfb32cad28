"""The named peer for bench/tfidf-logreg.ts: scikit-learn's TF-IDF + logistic regression.

Same data files and the same feature settings as the TypeScript baseline: word 1-2 grams
and char_wb 2-5 grams, lowercase, sublinear tf, smooth idf, each block L2-normalised
(a FeatureUnion of two TfidfVectorizers), multinomial LogisticRegression (L-BFGS).
Prints one JSON object on stdout; run with Debian's /usr/bin/python3.
"""
import argparse
import csv
import json
import math
import time
import warnings

from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score
from sklearn.pipeline import FeatureUnion, make_pipeline
from sklearn.feature_extraction.text import TfidfVectorizer


def read_examples(path):
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [row["text"] for row in rows], [row["category"] for row in rows]


def percentile_nearest_rank(sorted_samples, percentile):
    """Same definition as @bankbench/metrics latencySummary."""
    rank = max(math.ceil(percentile / 100 * len(sorted_samples)), 1)
    return sorted_samples[rank - 1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", required=True)
    parser.add_argument("--test", required=True)
    parser.add_argument("--C", type=float, default=10.0)
    parser.add_argument("--max-iter", type=int, default=100)
    parser.add_argument("--min-df", type=int, default=1)
    parser.add_argument("--latency-queries", type=int, default=500)
    args = parser.parse_args()
    # The iteration limit is the benchmark's setting (the same for both sides), not an accident.
    warnings.filterwarnings("ignore", category=ConvergenceWarning)

    train_texts, train_labels = read_examples(args.train)
    test_texts, test_labels = read_examples(args.test)

    features = FeatureUnion([
        ("word", TfidfVectorizer(analyzer="word", ngram_range=(1, 2), lowercase=True,
                                 sublinear_tf=True, min_df=args.min_df)),
        ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), lowercase=True,
                                 sublinear_tf=True, min_df=args.min_df)),
    ])
    model = make_pipeline(features, LogisticRegression(C=args.C, max_iter=args.max_iter))

    started, started_cpu = time.perf_counter(), time.process_time()
    model.fit(train_texts, train_labels)
    train_seconds = time.perf_counter() - started
    train_cpu_seconds = time.process_time() - started_cpu

    predicted = model.predict(test_texts)

    latencies_ms = []
    for text in test_texts[: args.latency_queries]:
        started = time.perf_counter()
        model.predict([text])
        latencies_ms.append((time.perf_counter() - started) * 1000)
    latencies_ms.sort()

    print(json.dumps({
        "peer": "scikit-learn",
        "trainRows": len(train_texts),
        "testRows": len(test_texts),
        "features": sum(len(v.vocabulary_) for _, v in features.transformer_list),
        "iterations": int(model[-1].n_iter_[0]),
        "accuracy": accuracy_score(test_labels, predicted),
        "macroF1": f1_score(test_labels, predicted, average="macro", zero_division=0),
        "trainSeconds": train_seconds,
        "trainCpuSeconds": train_cpu_seconds,
        "p50Ms": percentile_nearest_rank(latencies_ms, 50),
        "p95Ms": percentile_nearest_rank(latencies_ms, 95),
    }))


if __name__ == "__main__":
    main()
