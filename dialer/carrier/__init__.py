"""A simulated carrier: sipp scenarios (package data) and a helper that runs sipp as a UAS."""

from dialer.carrier.sipp import Scenario, SippCarrier, SippError, make_speech_audio

__all__ = ["Scenario", "SippCarrier", "SippError", "make_speech_audio"]
