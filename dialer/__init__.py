"""Dialer: pacing, call flow, telephony, settings and the `dialer` command.

Depends on `campaigns` only; imports neither Flask nor Celery. `dialer.telephony.pjsua2_adapter` is
the one module in the code base that imports pjsua2.
"""
