"""The SDK's in-memory span exporter and metric reader, for the tests of OpenTelemetry instrumentation
(chat and embeddings): what was exported, read back as plain data."""

from __future__ import annotations

import json
from typing import Any

from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from wireai import InstrumentationSettings

SECRET_KEY = "sk-test-4f9a1c0ffee-secret"
"""An API key the tests send and then look for in everything exported."""


class Telemetry:
    """An SDK tracer and meter provider recording in memory, and the settings that use them."""

    def __init__(self, **options: Any):
        self.exporter = InMemorySpanExporter()
        self.tracer_provider = TracerProvider()
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.reader = InMemoryMetricReader()
        self.meter_provider = MeterProvider(metric_readers=[self.reader])
        self.settings = InstrumentationSettings(
            tracer_provider=self.tracer_provider, meter_provider=self.meter_provider, **options
        )

    @property
    def spans(self) -> list[ReadableSpan]:
        return list(self.exporter.get_finished_spans())

    def span(self, name: str) -> ReadableSpan:
        [found] = [s for s in self.spans if s.name == name]
        return found

    def metrics(self) -> dict[str, list[tuple[dict[str, Any], Any]]]:
        found: dict[str, list[tuple[dict[str, Any], Any]]] = {}
        data = self.reader.get_metrics_data()
        for resource in data.resource_metrics if data else []:
            for scope in resource.scope_metrics:
                for metric in scope.metrics:
                    found[metric.name] = [(dict(p.attributes or {}), p) for p in metric.data.data_points]
        return found

    def everything_exported(self) -> str:
        """Every attribute and event of every span, and every metric attribute, as one text."""
        texts = []
        for span in self.spans:
            texts.append(span.name)
            texts.append(json.dumps(dict(span.attributes or {}), default=str))
            texts.append(span.status.description or "")
            for event in span.events:
                texts.append(event.name + json.dumps(dict(event.attributes or {}), default=str))
        for points in self.metrics().values():
            texts.extend(json.dumps(attributes, default=str) for attributes, _ in points)
        return "\n".join(texts)
