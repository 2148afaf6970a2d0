"""The demo carrier's scenario with a chosen live-answer rate.

sipp takes no variables in `chance=`, so the packaged demo.xml is rewritten with the branch
chances that give the rate asked for. The rest splits as in the pacing benchmark
(PACING_BENCHMARK.md): answering machines 30 %, no answer 55 %, fast failures 15 % (busy and
declined) of the calls nobody takes live.
"""

from __future__ import annotations

import re
from pathlib import Path

from dialer.carrier.sipp import Scenario

_SHARES = {"busy": 0.09, "rejected": 0.06, "noanswer": 0.55, "machine": 0.30}


class ScenarioError(ValueError):
    pass


def render_demo_scenario(answer_rate: float, directory: Path) -> Path:
    if not 0.05 <= answer_rate <= 0.95:
        raise ScenarioError(f"answer rate {answer_rate} must be between 0.05 and 0.95")
    text = Scenario.DEMO.path.read_text()
    left = 1.0
    for branch, share in _SHARES.items():
        unconditional = share * (1.0 - answer_rate)
        # sipp evaluates the branches in turn: each chance is of the calls still undecided.
        chance = unconditional / left
        left -= unconditional
        text, found = re.subn(
            rf'<nop next="{branch}" chance="[0-9.]+"/>',
            f'<nop next="{branch}" chance="{chance:.4f}"/>',
            text,
        )
        if found != 1:
            raise ScenarioError(f"demo.xml has no single '{branch}' branch")
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / "demo.xml"
    target.write_text(text)
    return target
