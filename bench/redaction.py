"""Benchmark: precision and recall of the redaction on the annotated corpus, per kind.

Not a test (``ventanilla/privacy/tests/test_corpus.py`` asserts the targets). Prints, for
the corpus of resident messages in ``ventanilla/privacy/tests/corpus.py`` and, apart, for
its held-out set (written after the redaction, never used to tune it), the recall per
kind of personal data, the precision per placeholder and the share of street names,
places, brands and department names kept; ``--misses`` lists each leak and each word
removed needlessly.

    .venv/bin/python bench/redaction.py [--misses]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ventanilla.privacy.redaction import redact  # noqa: E402
from ventanilla.privacy.tests.corpus import COUNCIL_WORDS, HELD_OUT, MESSAGES  # noqa: E402
from ventanilla.privacy.tests.scoring import score  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--misses", action="store_true", help="list every miss")
    args = parser.parse_args()
    for title, messages in (("Corpus", MESSAGES), ("Held out (never used to tune)", HELD_OUT)):
        started = time.perf_counter()
        result = score(messages, lambda text: redact(text, keep=COUNCIL_WORDS))
        elapsed = time.perf_counter() - started
        print(f"== {title} ==")
        print(result.table())
        print(f"\n{elapsed * 1000 / max(result.messages, 1):.1f} ms per message\n")
        if args.misses:
            print(result.misses() + "\n")


if __name__ == "__main__":
    main()
