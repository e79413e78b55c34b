"""Prometheus metrics of the delivery worker."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

DELIVERIES = Counter(
    "notifier_deliveries_total",
    "Delivery outcomes the worker recorded, by resulting status and campaign kind.",
    ["status", "kind"],
)
SEND_SECONDS = Histogram(
    "notifier_send_seconds",
    "Seconds from starting an SMTP transaction to the server accepting the message.",
    ["kind"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0),
)
QUEUE_DEPTH = Gauge(
    "notifier_queue_depth",
    "Deliveries due now (scheduled or waiting to retry) that no worker has claimed.",
)
