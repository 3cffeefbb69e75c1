"""Prometheus metrics, one registry per application (so several apps can live in one process)."""

from __future__ import annotations

from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, disable_created_metrics

disable_created_metrics()  # type: ignore[no-untyped-call]  # the *_created series only add noise here


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lapor_http_requests",
            "HTTP requests by route template, method and status code",
            ["method", "route", "status"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "lapor_http_request_duration_seconds",
            "HTTP request latency by route template",
            ["method", "route"],
            registry=self.registry,
            buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0),
        )
        self.routed = Counter(
            "lapor_suggestions",
            "Complaints routed, by automatic decision (auto/review)",
            ["decision"],
            registry=self.registry,
        )
        self.decisions = Counter(
            "lapor_decisions",
            "Reviewer decisions by outcome (accepted/overridden/duplicate)",
            ["outcome"],
            registry=self.registry,
        )
        self.backlog = Gauge("lapor_review_backlog", "Suggestions waiting for review", registry=self.registry)
        self.model_info = Gauge(
            "lapor_model_info", "The model being served (value 1)", ["version"], registry=self.registry
        )
        self.reloads = Counter(
            "lapor_model_reloads", "Model reloads by result", ["result"], registry=self.registry
        )

        self.audits = Counter("lapor_audits", "Automatic decisions sampled for audit", registry=self.registry)
        self.guard_lower_bound = Gauge(
            "lapor_guard_lower_bound",
            "Lower Wilson bound of live precision per class (reviewed auto decisions, current model)",
            ["target", "label"],
            registry=self.registry,
        )
        self.guard_auto = Gauge(
            "lapor_guard_auto_enabled",
            "1 while a class may be routed auto, 0 while the guard holds it for review",
            ["target", "label"],
            registry=self.registry,
        )
        self.agency_returns = Counter(
            "lapor_agency_returns",
            "Complaints a receiving office sent back (Bukan Wewenang), by office",
            ["agency"],
            registry=self.registry,
        )
        self.agency_accepts = Counter(
            "lapor_agency_accepts",
            "Complaints a receiving office accepted, by office",
            ["agency"],
            registry=self.registry,
        )
        self.webhook_attempts = Counter(
            "lapor_webhook_attempts",
            "Webhook delivery attempts by result (delivered/failed_attempt/no_answer/gone)",
            ["result"],
            registry=self.registry,
        )
        self.retrains = Counter(
            "lapor_retrains", "Background retrains by result", ["result"], registry=self.registry
        )

    def set_guard(self, verdict: Any) -> None:
        """Publish a :class:`service.app.guard.GuardVerdict` (replacing the previous one)."""
        self.guard_lower_bound.clear()
        self.guard_auto.clear()
        for (target, label), state in verdict.classes.items():
            self.guard_lower_bound.labels(target=target, label=label).set(state.lower_bound)
            self.guard_auto.labels(target=target, label=label).set(1 if state.auto else 0)

    def set_model(self, version: str) -> None:
        self.model_info.clear()
        self.model_info.labels(version=version).set(1)
