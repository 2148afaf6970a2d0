"""Discrete-event simulation of a dialing shift (PACING_BENCHMARK.md), paced by `dialer.pacing`."""

from dialer.simulation.engine import Simulation, simulate_day
from dialer.simulation.results import DayResult
from dialer.simulation.scenario import Scenario, Stress

__all__ = ["DayResult", "Scenario", "Simulation", "Stress", "simulate_day"]
