from __future__ import annotations

import re
from pathlib import Path

import pytest

from dialer.carrier.demo_scenario import ScenarioError, render_demo_scenario


def _unconditional(path: Path) -> dict[str, float]:
    chances = dict(re.findall(r'<nop next="(\w+)" chance="([0-9.]+)"/>', path.read_text()))
    left, shares = 1.0, {}
    for branch in ("busy", "rejected", "noanswer", "machine"):
        shares[branch] = float(chances[branch]) * left
        left -= shares[branch]
    shares["live"] = left
    return shares


@pytest.mark.parametrize("rate", [0.1, 0.3, 0.45, 0.6])
def test_the_demo_carrier_answers_live_at_the_rate_asked_for(rate: float, tmp_path: Path) -> None:
    shares = _unconditional(render_demo_scenario(rate, tmp_path))
    assert shares["live"] == pytest.approx(rate, abs=0.001)
    assert shares["machine"] == pytest.approx(0.30 * (1 - rate), abs=0.001)
    assert shares["noanswer"] == pytest.approx(0.55 * (1 - rate), abs=0.001)


def test_an_impossible_answer_rate_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError):
        render_demo_scenario(1.5, tmp_path)
