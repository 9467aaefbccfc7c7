"""Stream framings (SSE, AWS event-stream): bytes in, frames out; no I/O, no httpx.

They sit below the codecs because they are part of each vendor's wire format, not of the transport.
"""
