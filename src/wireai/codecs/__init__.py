"""Sans-I/O wire codecs, one module per protocol; a public API.

A codec imports neither httpx nor anyio. Each module offers:

- `build_request(messages, settings, params, ...) -> dict`: the vendor JSON body;
- `parse_response(body, ...) -> ModelResponse`: a vendor JSON body read back;
- a `StreamParser` subclass fed decoded stream events (`SSEEvent`s, or event-stream messages for
  Bedrock), returning wireai stream events;
- `encode_response` / `encode_stream`: the inverse, used by `wireai.testing`'s fake vendors.

Drive one with any transport: build the body, POST it, feed the reply back.
"""
