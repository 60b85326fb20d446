"""Browser libraries installed by npm (scripts/_npm.sh), served from node_modules/ under /vendor/.

Only the files the pages use are served: the bpmn-js navigated viewer and its stylesheets.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, abort, current_app, render_template, send_file, url_for

from webapp.config import ROOT

bp = Blueprint("vendor", __name__, url_prefix="/vendor")

ONE_YEAR = 365 * 24 * 3600
# The bpmn-js files a page may ask for (relative to node_modules/bpmn-js/dist/) and their types.
BPMN_JS_FILES = {
    "bpmn-navigated-viewer.production.min.js": "text/javascript; charset=utf-8",
    "bpmn-modeler.production.min.js": "text/javascript; charset=utf-8",
    "assets/diagram-js.css": "text/css; charset=utf-8",
    "assets/bpmn-js.css": "text/css; charset=utf-8",
    "assets/bpmn-font/css/bpmn.css": "text/css; charset=utf-8",
    "assets/bpmn-font/font/bpmn.woff2": "font/woff2",
    "assets/bpmn-font/font/bpmn.woff": "font/woff",
    "assets/bpmn-font/font/bpmn.ttf": "font/ttf",
}
NOT_INSTALLED = (
    "Thư viện giao diện bpmn-js chưa được cài đặt nên chưa hiển thị được sơ đồ quy trình. "
    "Hãy báo quản trị hệ thống chạy “npm ci” (hoặc scripts/demo) trong thư mục của ứng dụng."
)


def node_modules() -> Path:
    """Where npm installed the libraries; NODE_MODULES_DIR in the configuration overrides it."""
    return Path(current_app.config.get("NODE_MODULES_DIR") or ROOT / "node_modules")


@lru_cache(maxsize=8)
def _package_version(package_json: Path) -> str:
    try:
        return str(json.loads(package_json.read_text(encoding="utf-8")).get("version", ""))
    except (OSError, ValueError):
        return ""


def bpmn_js_url(path: str) -> str:
    """The address of a bpmn-js file, with the installed version so that an upgrade is not hidden by the cache."""
    version = _package_version(node_modules() / "bpmn-js" / "package.json")
    return url_for("vendor.bpmn_js", path=path, v=version or None)


@bp.app_context_processor
def template_helpers() -> dict[str, object]:
    return {"bpmn_js_url": bpmn_js_url}


@bp.route("/bpmn-js/<path:path>")
def bpmn_js(path: str):
    mimetype = BPMN_JS_FILES.get(path)
    if mimetype is None:
        abort(404)
    package = node_modules() / "bpmn-js"
    if not package.is_dir():
        return render_template("error.html", message=NOT_INSTALLED), 503
    file = package / "dist" / path
    if not file.is_file():
        abort(404)
    response = send_file(file, mimetype=mimetype, max_age=ONE_YEAR, conditional=True, etag=True)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
    return response
