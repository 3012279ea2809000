"""Split gold questions into a dev set for tuning and a frozen test set (see evals/README.md).

The existing gold set (`evals/questions.jsonl`) goes to dev whole: every rule and default was
written against it, so it cannot tell how the engine does on unseen questions. The new,
independently written questions are split stratified, so that every kind of question (each
refusal subtype, look-alikes, follow-ups and topic switches, English, typos, lists, each source
kind) is on both sides in about the same share, and the test/dev gap measures fitting rather
than a different mix.

Deterministic: a question's place depends only on the seed, its id and its stratum, never on
file order or the Python process (no `hash()`), so the same input gives the same split.

Usage: `python -m evals.split /path/to/part-*.jsonl` (writes evals/dev.jsonl and evals/test.jsonl).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from evals.questions import GoldQuestion, QuestionFileError, load_questions

SEED = "issue-11"
EXISTING = Path("evals/questions.jsonl")
OUT_DIR = Path("evals")
MIN_TEST = 140
TEST_SHARE = 0.5

REFUSAL_KINDS = ("buiten-domein", "niet-in-bronnen", "juridisch-advies", "instructie")
CONVERSATION_KINDS = ("vervolgvraag", "onderwerpwissel")
QUESTION_KINDS = ("engels", "typfout", "lijst")
"""In order of precedence: an English list question is stratified as English."""
SOURCE_KINDS = ("handreiking", "praktijk", "wet", "samenvatting", "opinie")


def stratum(question: GoldQuestion) -> str:
    """The question's most specific stratum, from its tags (vocabulary of /work/qset/SPEC.md).

    A question has one stratum, the rarest and most telling kind it belongs to: refusals by
    subtype, then look-alikes, then conversations by kind, then English, typos and lists, then
    the kind of its main source. Stratifying on full tag combinations instead would leave most
    strata with one question, which stratifies nothing.
    """
    tags = set(question.tags)
    if not question.answerable:
        return _with_kind("weigeren", tags, REFUSAL_KINDS)
    if "lijkt-op-weigeren" in tags:
        return "lijkt-op-weigeren"
    if question.history:
        return _with_kind("gesprek", tags, CONVERSATION_KINDS)
    for kind in QUESTION_KINDS:
        if kind in tags:
            return kind
    return _with_kind("bron", tags, SOURCE_KINDS, fallback="overig")


def _with_kind(group: str, tags: set[str], kinds: Sequence[str], fallback: str | None = None) -> str:
    kind = next((kind for kind in kinds if kind in tags), None)
    if kind is None:
        return fallback or group
    return f"{group}/{kind}"


def _draw(seed: str, key: str) -> str:
    """A stable pseudo-random sort key: the same on every machine and in every process."""
    return hashlib.sha256(f"{seed}:{key}".encode()).hexdigest()


@dataclass(frozen=True)
class Split:
    dev: list[GoldQuestion]
    test: list[GoldQuestion]


def size_of_test(new_questions: int, share: float = TEST_SHARE, minimum: int = MIN_TEST) -> int:
    """About `share` of the new questions, and never fewer than `minimum`."""
    size = max(math.ceil(new_questions * share), minimum)
    if size > new_questions:
        raise ValueError(f"te weinig nieuwe vragen ({new_questions}) voor een testset van {size}")
    return size


def quotas(sizes: dict[str, int], total: int, seed: str) -> dict[str, int]:
    """Test questions per stratum, proportional to stratum size and summing to `total` exactly.

    Largest remainder: every stratum gets the floor of its share, the leftover questions go to
    the largest fractions; ties (common: odd strata at share one half) are broken by a seeded
    draw, not by name, so no stratum is always favoured.
    """
    count = sum(sizes.values())
    exact = {name: size * total / count for name, size in sizes.items()}
    result = {name: math.floor(value) for name, value in exact.items()}
    leftover = total - sum(result.values())
    order = sorted(sizes, key=lambda name: (-(exact[name] - result[name]), _draw(seed, name)))
    for name in order[:leftover]:
        result[name] += 1
    return result


def split_questions(
    existing: Sequence[GoldQuestion],
    new: Sequence[GoldQuestion],
    *,
    seed: str = SEED,
    share: float = TEST_SHARE,
    minimum: int = MIN_TEST,
) -> Split:
    """Existing questions all to dev; the new ones stratified into dev and test.

    Within a stratum the questions are ranked by a seeded hash of their id and the first
    `quota` go to test. Both outputs keep input order.
    """
    strata: dict[str, list[GoldQuestion]] = {}
    for question in new:
        strata.setdefault(stratum(question), []).append(question)
    quota = quotas({name: len(members) for name, members in strata.items()}, size_of_test(len(new), share, minimum), seed)
    test_ids = {
        question.id
        for name, members in strata.items()
        for question in sorted(members, key=lambda q: _draw(seed, q.id))[: quota[name]]
    }
    return Split(
        dev=[*existing, *(q for q in new if q.id not in test_ids)],
        test=[q for q in new if q.id in test_ids],
    )


def load_files(paths: Sequence[Path]) -> list[list[GoldQuestion]]:
    """The questions of each file; an id used in two files is an error (ids name questions in reports)."""
    files: list[list[GoldQuestion]] = []
    seen: dict[str, Path] = {}
    for path in paths:
        questions = load_questions(path)
        for question in questions:
            if question.id in seen:
                raise QuestionFileError(f"id '{question.id}' staat in {seen[question.id]} en in {path}", source=str(path))
            seen[question.id] = path
        files.append(questions)
    return files


def write_jsonl(path: Path, questions: Sequence[GoldQuestion]) -> None:
    path.write_text("".join(json.dumps(q.to_dict(), ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")


def count_table(title: str, dev: Counter[str], test: Counter[str]) -> str:
    """Counts side by side, most frequent first: aggregates only, never a test question itself."""
    names = sorted(dev.keys() | test.keys(), key=lambda name: (-(dev[name] + test[name]), name))
    width = max([len(title), *(len(name) for name in names)])
    lines = [f"{title:<{width}}  {'dev':>4}  {'test':>4}"]
    lines += [f"{name:<{width}}  {dev[name]:>4}  {test[name]:>4}" for name in names]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evals.split",
        description="Verdeel de goudvragen over evals/dev.jsonl en evals/test.jsonl (gestratificeerd, vaste seed).",
    )
    parser.add_argument("files", nargs="+", type=Path, help="nieuwe vragenbestanden (JSONL) om te verdelen")
    parser.add_argument("--existing", type=Path, default=EXISTING, help=f"bestaande goudset, helemaal naar dev ({EXISTING})")
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR, help=f"map voor dev.jsonl en test.jsonl ({OUT_DIR})")
    parser.add_argument("--seed", default=SEED, help=f"seed ({SEED})")
    parser.add_argument("--holdout", action="store_true",
                        help="een latere ronde: de helft bij evals/dev.jsonl, de andere helft bij evals/holdout.jsonl")
    args = parser.parse_args(argv)
    if args.holdout:
        return add_round(args.files, args.out_dir, args.seed)
    try:
        existing, *parts = load_files([args.existing, *args.files])
        new = [question for part in parts for question in part]
        split = split_questions(existing, new, seed=args.seed)
    except (QuestionFileError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    args.out_dir.mkdir(parents=True, exist_ok=True)
    write_jsonl(args.out_dir / "dev.jsonl", split.dev)
    write_jsonl(args.out_dir / "test.jsonl", split.test)
    new_dev = split.dev[len(existing) :]
    print(f"dev: {len(split.dev)} vragen ({len(existing)} bestaand + {len(new_dev)} nieuw); test: {len(split.test)} vragen")
    print()
    print(count_table("stratum (nieuw)", Counter(map(stratum, new_dev)), Counter(map(stratum, split.test))))
    print()
    dev_tags = Counter(tag for q in split.dev for tag in dict.fromkeys(q.tags))
    test_tags = Counter(tag for q in split.test for tag in dict.fromkeys(q.tags))
    print(count_table("tag", dev_tags, test_tags))
    return 0


def add_round(files: Sequence[Path], out_dir: Path, seed: str) -> int:
    """A later round of questions: stratified by the same rule, half appended to dev and half to holdout
    (test stays frozen). Ids already in dev, test or holdout are an error."""
    split_files = [out_dir / f"{name}.jsonl" for name in ("dev", "test", "holdout")]
    try:
        dev, _, holdout, *parts = load_files([*split_files, *files])  # an id twice in these files is an error
        new = [question for part in parts for question in part]
        split = split_questions([], new, seed=seed, minimum=0)
    except (QuestionFileError, ValueError) as error:
        print(error, file=sys.stderr)
        return 2
    write_jsonl(out_dir / "dev.jsonl", [*dev, *split.dev])
    write_jsonl(out_dir / "holdout.jsonl", [*holdout, *split.test])
    print(f"dev: +{len(split.dev)} vragen ({len(dev) + len(split.dev)}); "
          f"holdout: +{len(split.test)} ({len(holdout) + len(split.test)})")
    print(count_table("stratum", Counter(map(stratum, split.dev)), Counter(map(stratum, split.test))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
