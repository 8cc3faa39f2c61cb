"""The review studio's web app (Starlette) and its start under uvicorn.

    GET  /                         the page (templates/review.html, static/review.js)
    GET  /api/episode              people, voices, chapters, trim, CHECKs, transcript, versions (model.py)
    GET  /api/peaks?timeline=published|recording&buckets=N    waveform peaks (peaks.py)
    GET  /media/published          the published MP3;  GET /media/recording: the recording (model.audio_files)
    PUT  /api/chapters/{n}         {"start": s}           PUT /api/voices/{voice}  {"name": person}
    PUT  /api/voices/{voice}/confirm  {}  pins the voice to the name it was given (the voice library keeps it)
    PUT  /api/trim                 {"start": s, "end": s} PUT /api/transcript/{n}  {"text": "..."}
    POST /api/apply                re-run what the saves touch; GET /api/apply: its progress (apply.py)

Every PUT and POST needs the run's token (?token=... or the X-Review-Token header), else 403. Errors are
{"error": "one line"} with a 4xx status. A save may name the version it was made on ("version" in the body
or If-Match); a stale one gets 409 (save.py).
"""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.templating import Jinja2Templates

from pipeline.engine import load_context
from pipeline.errors import PipelineError, UsageError
from pipeline.review import model, peaks, save
from pipeline.review.apply import ApplyJob

HERE = Path(__file__).parent
LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")
MEDIA_TYPES = {".mp3": "audio/mpeg", ".wav": "audio/wav", ".flac": "audio/flac", ".m4a": "audio/mp4",
               ".ogg": "audio/ogg", ".opus": "audio/ogg"}


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": " ".join(str(message).split())}, status_code=status)


def create_app(episode_dir: Path, config: Path | None = None, token: str | None = None,
               host: str = "127.0.0.1") -> Starlette:
    episode_dir = Path(episode_dir).resolve()
    token = token or secrets.token_urlsafe(24)
    job = ApplyJob(episode_dir, config)
    templates = Jinja2Templates(directory=str(HERE / "templates"))  # autoescape on for .html

    def context():
        return load_context(episode_dir, config)

    def authorised(request: Request) -> bool:
        given = request.query_params.get("token") or request.headers.get("x-review-token") or ""
        return secrets.compare_digest(given.encode(), token.encode())

    async def guarded(request: Request, action) -> Response:
        """Token, JSON body, then the save in a worker thread; ReviewError/PipelineError become 4xx."""
        if not authorised(request):
            return _error(403, "this needs the review token: open the URL that `pipeline review` printed")
        if job.running():
            return _error(409, "the pipeline is running (apply); save again when it has finished")
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "the body must be JSON, e.g. {\"start\": 12.5}")
        if not isinstance(body, dict):
            return _error(400, "the body must be a JSON object")
        try:
            version = save.body_version(body, request.headers.get("if-match"))
            result = await run_in_threadpool(lambda: action(context(), body, version))
        except save.ReviewError as exc:
            return _error(exc.status, str(exc))
        except PipelineError as exc:
            return _error(422, str(exc))
        return JSONResponse(result)

    async def page(request: Request) -> Response:
        try:
            ctx = await run_in_threadpool(context)
        except PipelineError as exc:
            return _error(422, str(exc))
        return templates.TemplateResponse(request, "review.html", {"title": ctx.episode.title,
                                                                   "slug": ctx.episode.slug})

    async def episode(request: Request) -> Response:
        try:
            return JSONResponse(await run_in_threadpool(lambda: model.episode(context())))
        except PipelineError as exc:
            return _error(422, str(exc))

    async def wave_peaks(request: Request) -> Response:
        timeline = request.query_params.get("timeline", "published")
        if timeline not in ("published", "recording"):
            return _error(400, "timeline must be published or recording")
        try:
            buckets = int(request.query_params.get("buckets", "4000"))
        except ValueError:
            return _error(400, "buckets must be a whole number")
        ctx = await run_in_threadpool(context)
        files = model.audio_files(ctx, timeline, for_peaks=True)
        if not files:
            return _error(404, f"no {timeline} audio yet; run the pipeline first")
        try:
            return JSONResponse(await run_in_threadpool(peaks.peaks, files, buckets))
        except peaks.PeaksError as exc:
            return _error(422, str(exc))

    async def media(request: Request) -> Response:
        ctx = await run_in_threadpool(context)
        which = request.path_params["which"]
        files = model.audio_files(ctx, which) if which in ("published", "recording") else []
        if len(files) != 1:
            return _error(404, f"no {which} audio to play; run the pipeline first")
        return FileResponse(files[0], media_type=MEDIA_TYPES.get(files[0].suffix.lower()))

    async def chapter(request: Request) -> Response:
        return await guarded(request, lambda ctx, body, version: save.set_chapter_start(
            ctx, request.path_params["n"], body, version))

    async def voice(request: Request) -> Response:
        return await guarded(request, lambda ctx, body, version: save.set_voice(
            ctx, request.path_params["voice"], body, version))

    async def confirm(request: Request) -> Response:
        return await guarded(request, lambda ctx, body, version: save.confirm_voice(
            ctx, request.path_params["voice"], body, version))

    async def trim(request: Request) -> Response:
        return await guarded(request, lambda ctx, body, version: save.set_trim(ctx, body, version))

    async def line(request: Request) -> Response:
        return await guarded(request, lambda ctx, body, version: save.set_transcript_line(
            ctx, request.path_params["n"], body, version))

    async def apply(request: Request) -> Response:
        if request.method == "GET":
            return JSONResponse(job.status())
        if not authorised(request):
            return _error(403, "this needs the review token: open the URL that `pipeline review` printed")
        if not job.start():
            return _error(409, "an apply is already running; wait for it to finish")
        return JSONResponse(job.status(), status_code=202)

    routes = [
        Route("/", page),
        Route("/api/episode", episode),
        Route("/api/peaks", wave_peaks),
        Route("/media/{which}", media),
        Route("/api/chapters/{n:int}", chapter, methods=["PUT"]),
        Route("/api/voices/{voice}", voice, methods=["PUT"]),
        Route("/api/voices/{voice}/confirm", confirm, methods=["PUT"]),
        Route("/api/trim", trim, methods=["PUT"]),
        Route("/api/transcript/{n:int}", line, methods=["PUT"]),
        Route("/api/apply", apply, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
    ]
    hosts = ["*"] if host in ("0.0.0.0", "::") else [*LOCAL_HOSTS, host]
    async def http_error(request: Request, exc: HTTPException) -> Response:
        return _error(exc.status_code, f"{request.method} {request.url.path}: {exc.detail}")

    app = Starlette(routes=routes, middleware=[Middleware(TrustedHostMiddleware, allowed_hosts=hosts)],
                    exception_handlers={HTTPException: http_error})
    app.state.token = token
    app.state.job = job
    return app


def url(host: str, port: int, token: str) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/?token={token}"


def check_address(host: str, port: int) -> None:
    """UsageError (one line, exit 2) when the studio could not listen there, before anything is printed."""
    import socket

    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
    except OSError as exc:
        raise UsageError(f"cannot listen on {host}:{port} ({exc.strerror}); pick another with --port") from None


def serve(app: Starlette, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="warning")
