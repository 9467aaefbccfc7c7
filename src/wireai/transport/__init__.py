"""The shared transport: retries and error mapping (`http`), one client per event loop (`clients`),
safe downloads of user-given URLs (`download`), rate-limit pacing (`pacing`), what an observer hears
of a request (`events`), and the auth adapters: AWS SigV4 and Bedrock API keys (`sigv4`), Google
credentials (`google_auth`), a bearer token from the caller's function (`token_auth`). Stream
framings (SSE, AWS event-stream) are part of the wire format, not of the transport: see `wireai.wire`."""
