"""Answering a request for a call's recording (outbound attempt or inbound call) with its WAV.

The routes check who asks (supervisors and admins only); this turns the stored row into the
file, or into the status that says why there is none: 404 never recorded or not on this
server, 410 deleted at the end of the retention period.
"""

from __future__ import annotations

from flask import abort, current_app, request, send_file
from flask.typing import ResponseReturnValue

from campaigns.storage.recording_store import Recording
from dialer.recordings import recording_file
from dialer.settings import Settings


def send_recording(found: Recording | None, call: str, download_name: str) -> ResponseReturnValue:
    """`call` names the call in error messages ("call attempt 12", "inbound call 7")."""
    if found is None:
        abort(404, f"{call} has no recording")
    if found.deleted_at is not None:
        abort(410, f"the recording was deleted on {found.deleted_at:%Y-%m-%d} (retention)")
    settings: Settings = current_app.config["DIALER_SETTINGS"]
    path = recording_file(settings.data_dir, found.path)
    if path is None or not path.exists():
        abort(404, f"the recording of {call} is not on this server")
    return send_file(
        path,
        mimetype="audio/wav",
        as_attachment=request.args.get("download") in {"1", "true"},
        download_name=download_name,
        conditional=True,  # range requests: the audio element seeks
    )
