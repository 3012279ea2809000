"""Small fitted models the answer engine runs on: a logistic regression over named features.

The weights are fitted on the dev split by `python -m evals.train` and committed as JSON in the
package's `assistant/weights/`, so answering needs numpy only: no scikit-learn at query time, and a refit
after a corpus or gold-set change is one command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

WEIGHTS_DIR = Path(__file__).parents[1] / "weights"


@dataclass(frozen=True)
class LogisticModel:
    """p = sigmoid(((x - mean) / scale) . coef + intercept), with `features` naming the columns of x."""

    features: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float
    threshold: float = 0.5
    """The decision point chosen on dev (for answerability: refuse below it)."""

    def probabilities(self, matrix: np.ndarray) -> np.ndarray:
        if not len(matrix):
            return np.zeros(0)
        z = ((matrix - self.mean) / self.scale) @ self.coef + self.intercept
        return 1.0 / (1.0 + np.exp(-z))

    def to_dict(self, **extra: object) -> dict[str, object]:
        return {
            "features": list(self.features), "mean": self.mean.tolist(), "scale": self.scale.tolist(),
            "coef": self.coef.tolist(), "intercept": self.intercept, "threshold": self.threshold, **extra,
        }

    @classmethod
    def load(cls, name: str, expected_features: tuple[str, ...]) -> LogisticModel:
        """The committed model `name`; it must have been fitted on exactly `expected_features`."""
        data = json.loads((WEIGHTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
        if tuple(data["features"]) != expected_features:
            raise ValueError(f"weights/{name}.json was fitted on other features; refit with `python -m evals.train`")
        return cls(
            features=tuple(data["features"]), mean=np.asarray(data["mean"]), scale=np.asarray(data["scale"]),
            coef=np.asarray(data["coef"]), intercept=float(data["intercept"]), threshold=float(data["threshold"]),
        )
