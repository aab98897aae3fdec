"""OpenTelemetry traces across the flow: HTTP request -> outbox row -> AMQP message -> consumer -> email
or webhook. The context travels in each CloudEvent's `traceparent` attribute (the CloudEvents
distributed-tracing extension), so integrators see it too.

Exported by OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set. Otherwise no span is made at all, and a
request still gets a W3C traceparent of its own (or keeps the caller's trace id) that its events
carry: ids only, a few string operations per request.
"""
from __future__ import annotations

import contextlib
import contextvars
import os
import re
import secrets

from shared import privacy

TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_fallback: contextvars.ContextVar[str | None] = contextvars.ContextVar("attune_traceparent", default=None)
_tracer = None  # an SDK tracer while tracing is on
_provider = None


def valid(value: str | None) -> str | None:
    """A well-formed version-00 traceparent with non-zero ids, else None (bounded: it is echoed on)."""
    if not value or len(value) != 55:
        return None
    m = TRACEPARENT.match(value.strip().lower())
    if not m or set(m.group(1)) == {"0"} or set(m.group(2)) == {"0"}:
        return None
    return m.group(0)


def init(service: str, exporter=None) -> bool:
    """Turns tracing on when an exporter is given (tests) or OTEL_EXPORTER_OTLP_ENDPOINT is set."""
    global _tracer, _provider
    if exporter is None and not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        return _tracer is not None
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    if _provider is None or exporter is not None:
        _provider = TracerProvider(resource=Resource.create({"service.name": f"attune-{service}"}))
        if exporter is not None:
            _provider.add_span_processor(SimpleSpanProcessor(exporter))
        else:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
        _tracer = _provider.get_tracer("attune")
    return True


def disable() -> None:
    """Back to no tracing (tests)."""
    global _tracer, _provider
    if _provider is not None:
        _provider.shutdown()
    _tracer = _provider = None


def enabled() -> bool:
    return _tracer is not None


def current() -> str | None:
    """The traceparent of the work in progress: the current span's, else the one set without tracing."""
    if _tracer is not None:
        from opentelemetry import trace

        ctx = trace.get_current_span().get_span_context()
        if ctx.is_valid:
            return f"00-{ctx.trace_id:032x}-{ctx.span_id:016x}-{int(ctx.trace_flags):02x}"
    return _fallback.get()


def parent_of(body: str | bytes) -> str | None:
    """The traceparent of a stored event's JSON, if any."""
    import json

    try:
        event = json.loads(body)
    except ValueError:
        return None
    return valid(event.get("traceparent")) if isinstance(event, dict) else None


def _generated(parent: str | None) -> str:
    trace_id = parent[3:35] if parent else secrets.token_hex(16)
    return f"00-{trace_id}-{secrets.token_hex(8)}-01"


@contextlib.contextmanager
def span(name: str, parent: str | None = None, kind: str = "internal", attributes: dict | None = None,
         new_trace: bool = False):
    """A span whose parent is `parent` (a traceparent) or the current context. Without tracing, sets
    the traceparent that events written inside carry (a new one for a request, or the parent's)."""
    parent = valid(parent)
    if _tracer is None:
        token = _fallback.set(_generated(parent) if new_trace or parent is None and _fallback.get() is None
                              else (parent or _fallback.get()))
        try:
            yield None
        finally:
            _fallback.reset(token)
        return
    from opentelemetry import trace
    from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

    ctx = TraceContextTextMapPropagator().extract({"traceparent": parent}) if parent else None
    kinds = {"server": trace.SpanKind.SERVER, "consumer": trace.SpanKind.CONSUMER,
             "client": trace.SpanKind.CLIENT, "internal": trace.SpanKind.INTERNAL}
    attributes = privacy.redact(attributes or {})  # the one policy: no client details or secrets in traces
    with _tracer.start_as_current_span(name, context=ctx, kind=kinds[kind], attributes=attributes) as s:
        yield s


def install(app, service: str) -> None:
    """Each request runs in a server span (child of the caller's `traceparent` header, if any)."""
    from flask import g, request

    init(service)

    @app.before_request
    def _start_span():
        name = f"{request.method} {request.url_rule.rule if request.url_rule is not None else 'unmatched'}"
        g.trace_span = span(name, request.headers.get("traceparent"), kind="server", new_trace=True,
                            attributes={"http.request.method": request.method})
        g.trace_span.__enter__()

    @app.after_request
    def _status(resp):
        if _tracer is not None:
            from opentelemetry import trace

            trace.get_current_span().set_attribute("http.response.status_code", resp.status_code)
        return resp

    @app.teardown_request
    def _end_span(exc):
        cm = g.pop("trace_span", None)
        if cm is not None:
            cm.__exit__(type(exc) if exc else None, exc, None)
