"""Campaigns: the domain (campaigns, contacts, attempts, agents), compliance rules and storage.

The lowest layer: imports neither Flask, Celery nor pjsua2, and reads no environment.
"""
