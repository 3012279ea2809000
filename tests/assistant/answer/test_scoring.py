"""assistant.answer.scoring: the logistic model the unit scorer, the answer-or-refuse decision and the
instruction screen run on, and the committed weights it loads."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.answer import scoring
from assistant.answer.scoring import WEIGHTS_DIR, LogisticModel

pytestmark = pytest.mark.unit


def model(**changes: object) -> LogisticModel:
    values: dict[str, object] = {"features": ("a", "b"), "mean": np.array([1.0, 0.0]), "scale": np.array([2.0, 1.0]),
                                 "coef": np.array([1.0, -1.0]), "intercept": 0.5, "threshold": 0.4}
    values.update(changes)
    return LogisticModel(**values)  # type: ignore[arg-type]


def test_probabilities_standardise_then_apply_the_logistic_function() -> None:
    rows = np.array([[1.0, 0.0], [3.0, 2.0], [-1.0, 1.0]])
    z = np.array([0.5, (2.0 / 2.0) - 2.0 + 0.5, (-2.0 / 2.0) - 1.0 + 0.5])
    assert np.allclose(model().probabilities(rows), 1.0 / (1.0 + np.exp(-z)))


def test_no_rows_give_no_probabilities() -> None:
    assert model().probabilities(np.zeros((0, 2))).shape == (0,)


def test_a_model_survives_its_json_form(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "WEIGHTS_DIR", tmp_path)
    (tmp_path / "probe.json").write_text(json.dumps(model().to_dict(note="x")), encoding="utf-8")
    loaded = LogisticModel.load("probe", ("a", "b"))
    assert loaded.threshold == 0.4 and loaded.intercept == 0.5
    assert np.allclose(loaded.probabilities(np.eye(2)), model().probabilities(np.eye(2)))


def test_weights_fitted_on_other_features_are_refused(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(scoring, "WEIGHTS_DIR", tmp_path)
    (tmp_path / "probe.json").write_text(json.dumps(model().to_dict()), encoding="utf-8")
    with pytest.raises(ValueError, match="other features"):
        LogisticModel.load("probe", ("a", "c"))


def test_the_committed_weights_are_found_in_the_package() -> None:
    """The weights stay in `assistant/weights/` whichever room the loader lives in."""
    assert WEIGHTS_DIR.name == "weights" and WEIGHTS_DIR.parent.name == "assistant"
    assert {"unit_scorer.json", "answerability.json", "instruction_screen.json"} <= {p.name for p in WEIGHTS_DIR.iterdir()}
