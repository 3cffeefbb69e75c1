"""``create_app(settings)``: the routing service. Run it with ``lapor-nlp-service serve`` (service.app.cli).

Start-up (lifespan) migrates the database, loads the model (the app does not start without one) and
rebuilds the duplicate index from the stored complaints. Errors map to JSON bodies
``{"type": ..., "detail": ...}``: input problems 4xx, a missing database or model 503, never a trace.
"""

from __future__ import annotations

import json
import logging
import time
import traceback
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lapor_nlp import InputError, LaporError, ModelError
from service.app import store
from service.app.auth import KeyRing
from service.app.batcher import PredictBatcher
from service.app.config import Settings, retry_delays
from service.app.db.engine import build_engine, build_sessionmaker
from service.app.db.migrate import upgrade
from service.app.errors import ServiceError
from service.app.guard import Guard
from service.app.metrics import Metrics
from service.app.policy import PolicyLoader, PolicyService, load_policy
from service.app.retrain import Retrainer, RetrainFn
from service.app.routes import admin, complaints, events, health, model, policy, route, suggestions
from service.app.state import (
    DuplicateService,
    IndexLike,
    LoadedModel,
    ModelHolder,
    RouterLike,
    load_router,
    new_index,
    warm_up,
)
from service.app.webhooks import Deliverer

logger = logging.getLogger("lapor_nlp.service")
HERE = Path(__file__).resolve().parent


def _error(
    status: int,
    type_: str,
    detail: Any,
    headers: dict[str, str] | None = None,
    extra: dict[str, Any] | None = None,
) -> JSONResponse:
    body = {**(extra or {}), "type": type_, "detail": detail}
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers)


class GuardMiddleware:
    """Pure ASGI: refuse bodies over the size limit (413), count and time requests, log without content."""

    def __init__(self, app: ASGIApp, *, max_body_bytes: int, metrics: Metrics) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status_holder = {"status": 500}
        limit = self.max_body_bytes
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        too_large = False
        if length is not None:
            try:
                too_large = int(length) > limit
            except ValueError:
                too_large = False
        if too_large:
            response = _error(
                413,
                "PayloadTooLargeError",
                f"request body is larger than {limit} bytes (LAPOR_NLP_MAX_BODY_BYTES)",
            )
            await response(scope, receive, send)
            self._observe(scope, 413, start)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _BodyTooLarge()
            return message

        response_started = False

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
                status_holder["status"] = message["status"]
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _BodyTooLarge:
            if not response_started:
                response = _error(
                    413,
                    "PayloadTooLargeError",
                    f"request body is larger than {limit} bytes (LAPOR_NLP_MAX_BODY_BYTES)",
                )
                await response(scope, receive, send)
            status_holder["status"] = 413
        except Exception as exc:  # noqa: BLE001 - last resort; handled here so the server logs no message
            # Type and frames only: the exception message could quote the complaint.
            frames = "".join(traceback.format_tb(exc.__traceback__)[-4:])
            cause = exc.__cause__ or exc.__context__
            if cause is not None:
                frames += f"caused by {type(cause).__name__}:\n" + "".join(
                    traceback.format_tb(cause.__traceback__)[-4:]
                )
            logger.error(
                "unhandled %s on %s %s\n%s", type(exc).__name__, scope.get("method"), scope["path"], frames
            )
            if not response_started:
                await _error(500, "InternalError", "internal error; it has been logged")(scope, receive, send)
            status_holder["status"] = 500
        self._observe(scope, status_holder["status"], start)

    def _observe(self, scope: Scope, status: int, start: float) -> None:
        route_obj = scope.get("route")
        path = getattr(route_obj, "path", None) or (
            "/static" if scope["path"].startswith("/static") else "unmatched"
        )
        method = scope.get("method", "GET")
        elapsed = time.perf_counter() - start
        self.metrics.requests.labels(method=method, route=path, status=str(status)).inc()
        self.metrics.latency.labels(method=method, route=path).observe(elapsed)
        logger.debug("%s %s -> %d in %.1f ms", method, path, status, elapsed * 1000)


class _BodyTooLarge(Exception):
    pass


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        return _error(exc.status_code, type(exc).__name__, exc.detail, extra=exc.extra)

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _error(422, type(exc).__name__, str(exc))

    @app.exception_handler(ModelError)
    async def _model(_: Request, exc: ModelError) -> JSONResponse:
        return _error(503, type(exc).__name__, str(exc))

    @app.exception_handler(LaporError)
    async def _lapor(_: Request, exc: LaporError) -> JSONResponse:
        return _error(422, type(exc).__name__, str(exc))

    @app.exception_handler(HTTPException)
    async def _http(_: Request, exc: HTTPException) -> JSONResponse:
        names = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "NotFound",
            405: "MethodNotAllowed",
            400: "BadRequest",
            413: "PayloadTooLargeError",
        }
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return _error(400, "MalformedBody", "the body could not be read: send JSON encoded as UTF-8")
        return _error(
            exc.status_code,
            names.get(exc.status_code, "HTTPError"),
            exc.detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = []
        for err in exc.errors():
            # Never echo the input back: it may be a complaint with personal data in it.
            errors.append({"loc": list(err.get("loc", ())), "msg": err.get("msg"), "type": err.get("type")})
        if any(e["type"] == "json_invalid" for e in errors):
            return _error(
                422,
                "MalformedJSON",
                "the body is not valid JSON (UTF-8); " + "; ".join(str(e["msg"]) for e in errors),
            )
        return _error(422, "ValidationError", errors)

    @app.exception_handler(UnicodeDecodeError)
    async def _unicode(_: Request, exc: UnicodeDecodeError) -> JSONResponse:
        return _error(400, "InvalidEncoding", "the body is not valid UTF-8; send JSON encoded as UTF-8")

    @app.exception_handler(json.JSONDecodeError)
    async def _json(_: Request, exc: json.JSONDecodeError) -> JSONResponse:
        return _error(422, "MalformedJSON", f"the body is not valid JSON: {exc.msg}")

    @app.exception_handler(SQLAlchemyError)
    async def _db(_: Request, exc: SQLAlchemyError) -> JSONResponse:
        if isinstance(exc, OperationalError | PoolTimeoutError) or (
            isinstance(exc, DBAPIError) and exc.connection_invalidated
        ):
            logger.warning("database unavailable: %s", type(exc).__name__)
            return _error(
                503,
                "DatabaseUnavailable",
                "the database is unavailable; nothing was stored, retry later",
                headers={"Retry-After": "5"},
            )
        logger.error("database error %s", type(exc).__name__)
        return _error(
            503, "DatabaseError", "the request could not be stored; nothing was stored, retry later"
        )


def create_app(
    settings: Settings | None = None,
    *,
    router: RouterLike | None = None,
    index_factory: Callable[[], IndexLike] = new_index,
    loader: Callable[[Path], RouterLike] = load_router,
    retrain_fn: RetrainFn | None = None,
    policy_loader: PolicyLoader = load_policy,
) -> FastAPI:
    """Build the service. ``router`` skips loading from ``settings.model_dir`` (tests, embedding).

    ``policy_loader`` gives the agency table of a loaded model (default: its ``agency_policy.json``).

    ``retrain_fn`` replaces :func:`lapor_nlp.routing.retrain` for ``POST /v1/model/retrain`` (tests).
    """
    settings = settings or Settings()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = build_engine(settings.database_url, timeout=settings.db_timeout_seconds)
        if settings.run_migrations:
            upgrade(engine)
        live = router if router is not None else loader(settings.model_dir)
        source = "in-memory" if router is not None else str(settings.model_dir)
        loaded = LoadedModel.wrap(live, source)
        warm_up(loaded, prepare_words=settings.warm_up)
        app.state.engine = engine
        app.state.sessionmaker = build_sessionmaker(engine)
        app.state.models = ModelHolder(loaded, loader=loader, prepare_words=settings.warm_up)
        app.state.guard = Guard(
            app.state.sessionmaker,
            min_evidence=settings.guard_min_evidence,
            z=settings.guard_z,
            rule=settings.guard_rule,
            ttl_seconds=settings.guard_ttl_seconds,
            enabled=settings.guard_enabled,
            on_verdict=metrics.set_guard,
            accept_after_days=settings.accept_after_days,
        )
        app.state.retrainer = Retrainer(settings, retrain_fn=retrain_fn)
        app.state.duplicates = DuplicateService(index_factory())
        app.state.policy = PolicyService(policy_loader)
        app.state.batcher = (
            PredictBatcher(max_batch=settings.max_predict_batch, threads=settings.predict_threads)
            if settings.batch_predictions
            else None
        )
        with app.state.sessionmaker() as session:
            indexed = store.rebuild_index(session, app.state.duplicates)
        metrics.set_model(loaded.version)
        app.state.deliverer = _start_deliverer(settings, app.state.sessionmaker, metrics)
        if not len(app.state.keys):
            logger.warning("no API keys configured (LAPOR_NLP_API_KEYS): every /v1 request will get 401")
        logger.info("service ready: model=%s indexed=%d", loaded.version, indexed)
        try:
            yield
        finally:
            if app.state.deliverer is not None:
                app.state.deliverer.close()
            if app.state.batcher is not None:
                app.state.batcher.close()
            app.state.retrainer.close()
            engine.dispose()

    app = FastAPI(
        title="lapor-nlp routing service",
        version=_version(),
        summary="Suggests category and agency for Indonesian citizen complaints, with a review queue.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.metrics = metrics
    app.state.keys = KeyRing(settings.api_keys)
    _install_error_handlers(app)
    app.state.deliverer = None
    routers = (
        route.router,
        complaints.router,
        policy.router,
        suggestions.router,
        model.router,
        events.router,
        health.router,
        admin.router,
    )
    for r in routers:
        app.include_router(r)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["X-API-Key", "Content-Type"],
        )
    app.add_middleware(GuardMiddleware, max_body_bytes=settings.max_body_bytes, metrics=metrics)
    return app


def _start_deliverer(settings: Settings, sessionmaker: Any, metrics: Metrics) -> Deliverer | None:
    """The webhook delivery loop, when LAPOR_NLP_WEBHOOK_URL and LAPOR_NLP_WEBHOOK_SECRET are set."""
    if not settings.webhook_url:
        return None
    deliverer = Deliverer(
        sessionmaker,
        url=settings.webhook_url,
        secret=settings.webhook_secret,
        delays=retry_delays(settings.webhook_retry_seconds),
        timeout=settings.webhook_timeout_seconds,
        poll_seconds=settings.webhook_poll_seconds,
        batch=settings.webhook_batch,
        on_attempt=lambda result: metrics.webhook_attempts.labels(result=result).inc(),
    )
    deliverer.start()
    logger.info("webhook deliveries on (owner %s)", deliverer.owner)
    return deliverer


def _version() -> str:
    import lapor_nlp

    return str(lapor_nlp.__version__)


def app_factory() -> FastAPI:
    """Entry point for ``uvicorn --factory service.app.main:app_factory`` (settings from the environment)."""
    settings = Settings()
    logging.basicConfig(
        level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    return create_app(settings)
