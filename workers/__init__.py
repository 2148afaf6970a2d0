"""Celery workers: thin tasks that hand each call attempt to `dialer.call_flow`."""
