"""Regenerate `fixtures/demo/<vendor>.json`: `python -m wireai._demo.record [VENDOR ...]`.

The responses are the scenario's scripted `ModelResponse`s put on the wire by each protocol's
vendor-side encoder in `wireai.testing.encoders` (`encode_response` / `encode_stream`, round-trip
tested against the codecs' parsers); the requests are what the demo's agents send, recorded over loopback and pinned so a
codec change shows up as a fixture diff. Run this after an intended change to a codec's request
shape, and review the diff.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from ..messages import ModelResponse
from ..testing.fixtures import fixtures_dir
from ..testing.server import LoopbackServer, RecordedRequest, Reply
from .scenario import RunOutcome, run_streamed, run_structured, scripted_responses
from .vendors import VENDORS, DemoVendor

__all__ = ["encode_reply", "record_vendor", "main"]


def encode_reply(protocol: str, response: ModelResponse, *, stream: bool, host: str = "") -> dict[str, Any]:
    """The fixture `response` spec for `response` as `protocol` puts it on the wire."""
    name = response.model_name
    if protocol == "openai_chat":
        from ..testing.encoders import openai_chat

        # OpenAI and Azure answer with OpenAI's own fields only; the other hosts add theirs
        sent = {"openai": openai_chat.OPENAI, "azure": openai_chat.OPENAI, "groq": openai_chat.GROQ}
        shape = sent.get(host, openai_chat.Host())
        x_groq = "req_demo" if host == "groq" else None
        if not stream:
            return {"status": 200, "json": openai_chat.encode_response(response, model=name, host=shape)}
        sse = openai_chat.encode_stream(response, model=name, host=shape, x_groq=x_groq)
        return {"status": 200, "sse": sse.decode()}
    if protocol == "openai_responses":
        from ..testing.encoders import openai_responses

        if not stream:
            return {"status": 200, "json": openai_responses.encode_response(response, model=name)}
        return {"status": 200, "sse": openai_responses.encode_stream(response, model=name).decode()}
    if protocol == "anthropic":
        from ..testing.encoders import anthropic

        if not stream:
            return {
                "status": 200,
                "json": anthropic.encode_response(response, model_name=name, id="msg_01Demo"),
            }
        return {
            "status": 200,
            "sse": anthropic.encode_stream(response, model_name=name, id="msg_01Demo").decode(),
        }
    if protocol == "gemini":
        from ..testing.encoders import gemini

        if not stream:
            return {"status": 200, "json": gemini.encode_response(response, response_id="demo-response")}
        sse = gemini.encode_stream(response, response_id="demo-response", text_chunk=12)
        return {"status": 200, "sse": sse.decode()}
    if protocol == "mistral":
        from ..testing.encoders import mistral

        if not stream:
            return {"status": 200, "json": mistral.encode_response(response, model_name=name)}
        return {"status": 200, "sse": mistral.encode_stream(response, model_name=name).decode()}
    if protocol == "cohere":
        from ..testing.encoders import cohere

        if not stream:
            return {"status": 200, "json": cohere.encode_response(response)}
        return {"status": 200, "sse": cohere.encode_stream(response).decode()}
    if protocol == "bedrock":
        from ..testing.encoders import bedrock

        if not stream:
            return {"status": 200, "json": bedrock.encode_response(response)}
        messages = bedrock.encode_stream_messages(response)
        return {"status": 200, "eventstream": [{"headers": h, "payload": p} for h, p in messages]}
    raise ValueError(f"no encoder for protocol {protocol!r}")


async def _run(vendor: DemoVendor, url: str) -> None:
    model = vendor.model(url)
    outcome = RunOutcome()
    await run_structured(model, outcome)
    await run_streamed(vendor.model(url), outcome)


def record_vendor(vendor: DemoVendor) -> dict[str, Any]:
    """Run the demo scenario for `vendor` against its encoded replies and return the fixture case."""
    probe = vendor.model("http://127.0.0.1:1")
    tools = probe.profile.supports_tools
    native = probe.profile.default_structured_output_mode == "native"
    responses = scripted_responses(vendor.model_name, vendor.tool_call_ids, tools=tools, native=native)
    specs = [
        encode_reply(vendor.protocol, r, stream=i == len(responses) - 1, host=vendor.key)
        for i, r in enumerate(responses)
    ]
    from ..testing.fixtures import Exchange

    exchanges = [Exchange({}, spec, fixtures_dir() / "demo") for spec in specs]
    queue = list(exchanges)

    def answer(request: RecordedRequest) -> Reply:
        return queue.pop(0).reply() if queue else Reply.json({"error": "unexpected request"}, 500)

    with LoopbackServer(answer) as server:
        asyncio.run(_run(vendor, server.url))
        requests = list(server.requests)
    if len(requests) != len(specs):
        raise RuntimeError(f"{vendor.key}: expected {len(specs)} requests, got {len(requests)}")
    return {
        "description": (
            f"wireai demo, {vendor.label} ({vendor.protocol}): "
            + ("tool call, output tool call" if tools and not native else "native JSON output")
            + ", streamed text. Responses from the vendor-side encoders of wireai.testing; requests as the demo sends them."
        ),
        "exchanges": [
            {"request": _request_spec(vendor, req), "response": spec} for req, spec in zip(requests, specs)
        ],
    }


def _request_spec(vendor: DemoVendor, request: RecordedRequest) -> dict[str, Any]:
    headers = {vendor.auth_header: request.headers.get(vendor.auth_header, "")}
    return {"method": request.method, "path": request.path, "headers": headers, "body": request.json()}


def main(argv: list[str] | None = None) -> int:
    keys = set(argv if argv is not None else sys.argv[1:])
    out_dir: Path = fixtures_dir() / "demo"
    out_dir.mkdir(parents=True, exist_ok=True)
    for vendor in VENDORS:
        if keys and vendor.key not in keys:
            continue
        case = record_vendor(vendor)
        path = out_dir / f"{vendor.key}.json"
        path.write_text(json.dumps(case, indent=2, ensure_ascii=False) + "\n", "utf-8")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
