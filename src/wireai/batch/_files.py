"""Request bodies assembled from other requests' bytes: a JSONL file (plain, or as a multipart upload)
and a JSON array of per-request objects. Each request's body is copied in exactly as the model's
`build_request` made it, never parsed and dumped again, so a batch line is byte-for-byte the request.
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Iterable

from ..codecs._base import WireRequest

__all__ = ["json_array", "jsonl", "multipart_upload"]


def jsonl(lines: Iterable[bytes]) -> bytes:
    """The lines, each ending in a newline, in one buffer (written once, never joined again)."""
    out = io.BytesIO()
    for line in lines:
        out.write(line)
        out.write(b"\n")
    return out.getvalue()


def json_array(head: bytes, items: Iterable[bytes], tail: bytes) -> bytes:
    """`head` + the items separated by commas + `tail`: a JSON document around pre-encoded items."""
    out = io.BytesIO()
    out.write(head)
    for i, item in enumerate(items):
        if i:
            out.write(b",")
        out.write(item)
    out.write(tail)
    return out.getvalue()


def multipart_upload(
    path: str, fields: dict[str, str], lines: Iterable[bytes], *, filename: str, media_type: str
) -> WireRequest:
    """`POST path` as `multipart/form-data`: the form fields, then the lines as the `file` part."""
    boundary = f"wireai-{uuid.uuid4().hex}"
    out = io.BytesIO()
    for name, value in fields.items():
        out.write(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    out.write(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        f"Content-Type: {media_type}\r\n\r\n".encode()
    )
    for line in lines:
        out.write(line)
        out.write(b"\n")
    out.write(f"\r\n--{boundary}--\r\n".encode())
    return WireRequest(
        "POST",
        path,
        headers={"content-type": f"multipart/form-data; boundary={boundary}"},
        data=out.getvalue(),
    )
