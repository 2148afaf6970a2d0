"""/api/v1/openapi.json: the document, built from the live URL map (dashboard.openapi)."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from flask.typing import ResponseReturnValue

from dashboard.access import public
from dashboard.api_schemas import SCHEMAS
from dashboard.call_control_schemas import CALL_CONTROL_SCHEMAS
from dashboard.console_schemas import CONSOLE_SCHEMAS
from dashboard.list_schemas import LIST_SCHEMAS
from dashboard.openapi import build_document, documented
from dashboard.phone_feature_schemas import PHONE_FEATURE_SCHEMAS
from dashboard.report_schemas import REPORT_SCHEMAS
from dashboard.wallboard_schemas import WALLBOARD_SCHEMAS

blueprint = Blueprint("api_docs", __name__, url_prefix="/api/v1")


@blueprint.get("/openapi.json")
@public
@documented("This document (OpenAPI 3.1)")
def openapi_document() -> ResponseReturnValue:
    return jsonify(
        build_document(
            current_app,
            {
                **SCHEMAS,
                **CONSOLE_SCHEMAS,
                **CALL_CONTROL_SCHEMAS,
                **WALLBOARD_SCHEMAS,
                **LIST_SCHEMAS,
                **REPORT_SCHEMAS,
                **PHONE_FEATURE_SCHEMAS,
            },
        )
    )
