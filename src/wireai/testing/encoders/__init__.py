"""The vendor side of each wire protocol: what a vendor sends back for a `ModelResponse`.

Only `wireai.testing`'s fake vendors (and the demo's fixture recorder) use these; production codecs
in `wireai.codecs` hold the client direction alone. Each module is round-trip tested against its
codec's parsers.
"""
