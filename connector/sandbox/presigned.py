"""The S3 side of feed documents: presigned upload and download URLs that expire after 5 minutes of simulator
time, answering expired or forged URLs with S3's 403 XML error bodies."""
from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode
from xml.sax.saxutils import escape

from flask import Blueprint, Response, current_app, request

from .feeds import FeedDocument

URL_LIFETIME = timedelta(minutes=5)
AMZ_DATE = "%Y%m%dT%H%M%SZ"

bp = Blueprint("sandbox_s3", __name__, url_prefix="/s3")


def _world():
    return current_app.extensions["sandbox_state"]


def presign(key: bytes, method: str, document_id: str, now: datetime, content_encoding: str | None = None) -> str:
    """An absolute URL on this simulator, as Amazon hands out S3 URLs for tortuga documents."""
    action = "upload" if method == "PUT" else "download"
    params = {"X-Amz-Algorithm": "AWS4-HMAC-SHA256", "X-Amz-Date": now.strftime(AMZ_DATE),
              "X-Amz-Expires": str(int(URL_LIFETIME.total_seconds())), "X-Amz-SignedHeaders": "host"}
    if content_encoding:
        params["response-content-encoding"] = content_encoding
    params["X-Amz-Signature"] = _signature(key, method, document_id, params)
    return f"{request.host_url}s3/{action}/{document_id}?{urlencode(params)}"


def _signature(key: bytes, method: str, document_id: str, params: dict) -> str:
    signed = "\n".join([method, document_id] + [f"{name}={params[name]}" for name in sorted(params)
                                                  if name != "X-Amz-Signature"])
    return hmac.new(key, signed.encode(), hashlib.sha256).hexdigest()


def _refusal(method: str, document_id: str) -> Response | None:
    """S3's answer to a URL that was not signed here or has expired; None when the URL is good."""
    params = request.args.to_dict()
    given = params.get("X-Amz-Signature", "")
    if not hmac.compare_digest(given, _signature(_world().feeds.signing_key, method, document_id, params)):
        return _s3_error(403, "SignatureDoesNotMatch", "The request signature we calculated does not match the "
                                                       "signature you provided. Check your key and signing method.")
    signed_at = datetime.strptime(params["X-Amz-Date"], AMZ_DATE).replace(tzinfo=timezone.utc)
    expires = signed_at + timedelta(seconds=int(params["X-Amz-Expires"]))
    now = _world().now()
    if now > expires:
        return _s3_error(403, "AccessDenied", "Request has expired", {
            "X-Amz-Expires": params["X-Amz-Expires"], "Expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "ServerTime": now.strftime("%Y-%m-%dT%H:%M:%SZ")})
    return None


def _s3_error(status: int, code: str, message: str, extra: dict[str, str] | None = None) -> Response:
    fields = {"Code": code, "Message": message, **(extra or {}), "RequestId": uuid.uuid4().hex[:16].upper(),
              "HostId": uuid.uuid4().hex}
    body = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    return Response(f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{body}</Error>', status,
                    content_type="application/xml")


def _named_document(method: str, document_id: str) -> tuple[FeedDocument | None, Response | None]:
    """The document a good URL names, or S3's refusal."""
    refusal = _refusal(method, document_id)
    if refusal is not None:
        return None, refusal
    feeds = _world().feeds
    with feeds.lock:
        document = feeds.documents.get(document_id)
    if document is None:
        return None, _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    return document, None


@bp.put("/upload/<document_id>")
def upload(document_id: str) -> Response:
    document, refusal = _named_document("PUT", document_id)
    if refusal is not None:
        return refusal
    sent_type = request.headers.get("Content-Type", "")
    if _normalized(sent_type) != _normalized(document.content_type):
        # The upload URL is signed for the content type given to createFeedDocument.
        return _s3_error(403, "SignatureDoesNotMatch", f"The Content-Type '{sent_type}' differs from the "
                                                       f"'{document.content_type}' this URL was signed for.")
    content = request.get_data()
    with _world().feeds.lock:
        document.content = content
    return Response(status=200, headers={"ETag": f'"{hashlib.md5(content).hexdigest()}"'})


@bp.get("/download/<document_id>")
def download(document_id: str) -> Response:
    document, refusal = _named_document("GET", document_id)
    if refusal is not None:
        return refusal
    if document.content is None:
        return _s3_error(404, "NoSuchKey", "The specified key does not exist.")
    headers = {"Content-Encoding": request.args.get("response-content-encoding", "identity")}
    return Response(document.content, 200, content_type=document.content_type, headers=headers)


def _normalized(content_type: str) -> str:
    return content_type.replace(" ", "").lower()
