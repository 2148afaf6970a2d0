"""Static files, and plotly.js straight from the installed plotly package.

plotly.js is not copied into the repository or fetched from a CDN (call-centre LANs are often
offline): the plotly Python package, a runtime dependency that builds the figures, ships the
matching minified bundle. Serving that file means the JavaScript always matches the figure JSON
the server produces, and there is no copy to forget on upgrade. The version is in the URL, so
browsers may cache it for a year.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import plotly
from flask import Blueprint, Response, abort, send_file, send_from_directory

from dashboard.access import public

blueprint = Blueprint("assets", __name__)

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PLOTLY_VERSION = plotly.__version__
_YEAR_S = 365 * 24 * 3600


def plotly_js_path() -> Path:
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


@blueprint.get("/static/<path:filename>")
@public
def static(filename: str) -> Response:
    return send_from_directory(STATIC_DIR, filename, max_age=3600)


@blueprint.get("/static/vendor/plotly-<version>.min.js")
@public
def plotly_js(version: str) -> Response:
    if version != PLOTLY_VERSION:
        abort(404)
    return send_file(plotly_js_path(), mimetype="text/javascript", max_age=_YEAR_S)
