"""sipp scenario XML files, shipped as package data (see dialer.carrier.sipp.Scenario)."""
