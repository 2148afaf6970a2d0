"""The pjsua2 implementation of :class:`~dialer.telephony.interface.Telephony`.

The only package that imports pjsua2, so the rules that abort a process when broken
(PJSUA2_NOTES.md) live here and nowhere else:

- One thread, the *SIP loop*, owns the Endpoint: it creates it (so, after any fork, in the
  process that uses it), runs ``libHandleEvents`` (``threadCnt = 0``: every SIP callback runs
  on it), executes the commands other threads submit, and destroys everything in order.
  Caller threads never call pjsua2, so they need no ``libRegisterThread``; the loop thread is
  registered by ``libCreate`` and pjsua's media threads are its own.
- Every live pjsua2 object (calls, players, recorders, frame ports, accounts) is referenced
  from one registry on the loop, with weak back-pointers only, and dropped on the loop, so the
  cyclic GC never destroys one on a foreign thread.
- Callbacks translate what happened into events and hand them to inboxes; they decide
  nothing, and they never let an exception escape into C++.
- Shutdown: hang up all, pump events, drop every object and ``gc.collect()``, shut down the
  accounts, ``libDestroy``; then the caller may ``os._exit``.
Where things are: ``loop`` (the thread, its registry, accounts and legs), ``callbacks`` (what
pjsua2 calls us for), ``media`` (commands on a leg's audio), ``objects`` (the pjsua2 subclasses
and per-leg state), ``telephony`` (the thread-safe facade the rest of the code uses).
"""

from dialer.telephony.pjsua2_adapter.telephony import Pjsua2Telephony

__all__ = ["Pjsua2Telephony"]
