"""The shared transport: HTTP client and retries (`http`), SSE (`sse`) and AWS event-stream (`eventstream`)
decoders, and the auth adapters for AWS SigV4 (`sigv4`) and Google credentials (`google_auth`)."""
