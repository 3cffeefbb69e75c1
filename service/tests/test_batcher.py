"""The prediction batcher: requests queued meanwhile share a call, each with its own model."""

from __future__ import annotations

import threading
import time
from typing import Any

from service.app.batcher import PredictBatcher
from service.app.state import LoadedModel
from service.tests.fakes import FakeRouter


class GatedRouter(FakeRouter):
    """Blocks its first prediction until ``gate`` is set, so later requests queue up meanwhile."""

    def __init__(self, gate: threading.Event) -> None:
        super().__init__("same-version")
        self.gate = gate

    def predict(self, X: Any, **kw: Any) -> Any:
        self.gate.wait(10)
        return super().predict(X, **kw)


def test_batcher_keeps_models_apart_even_with_one_version() -> None:
    """A reload of the same model directory gives a second model object with the same version: the
    complaints queued for each are predicted by their own router, never merged by version."""
    gate = threading.Event()
    first, second = GatedRouter(gate), FakeRouter("same-version")
    old, new = LoadedModel.wrap(first, "a"), LoadedModel.wrap(second, "b")
    assert old.version == new.version and old != new
    batcher = PredictBatcher(max_batch=16)
    results: dict[str, list[Any]] = {}

    def send(name: str, model: LoadedModel, texts: list[str]) -> None:
        results[name] = batcher.predict_many(model, [(t, None) for t in texts], 3)

    threads = [threading.Thread(target=send, args=("blocker", old, ["lampu mati"]))]
    threads[0].start()
    time.sleep(0.2)  # the batcher thread now waits in the first prediction
    threads += [
        threading.Thread(target=send, args=("old", old, ["sampah numpuk", "jalan rusak"])),
        threading.Thread(target=send, args=("new", new, ["lampu pju", "sampah", "jalan berlubang"])),
    ]
    for t in threads[1:]:
        t.start()
    time.sleep(0.3)
    gate.set()
    for t in threads:
        t.join(10)
    batcher.close()
    assert first.calls == 3 and second.calls == 3  # every complaint went to its own model's router
    assert [r.targets["topic"].label for r in results["new"]] == ["lampu-pju", "sampah", "jalan-rusak"]
    assert [r.targets["topic"].label for r in results["old"]] == ["sampah", "jalan-rusak"]
    assert second.batch_sizes == [3]  # the queued complaints of one model shared one call
