"""ExportSink on Google Cloud Storage: Cache-Control, JSON content type, generation preconditions.

Every upload carries ``if_generation_match`` (0 to create, the generation we read to replace), so
two publishers racing on one object cannot overwrite each other blindly: the loser re-reads the
generation and retries once, then gives up with an ExportSinkError. ``write_if`` reads the bytes
and their generation together and uploads on that generation only; when another writer got there
first it re-reads and decides again with what is now published.
"""

from __future__ import annotations

import logging
import os

from google.api_core import exceptions as gexc
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from google.cloud import storage
from google.cloud.storage.retry import DEFAULT_RETRY

from nba_assets.exports.sink import Allowed, ExportSinkError, check_path

log = logging.getLogger(__name__)
CONTENT_TYPE = "application/json"
# by suffix: the v1 files are JSON; the tonight page (index.html) must be served as a web page
CONTENT_TYPES = {".html": "text/html; charset=utf-8"}
# Transport errors (connection refused, 429, 5xx) retried with backoff for this long, then mapped.
DEFAULT_DEADLINE_S = 30.0
_TRANSPORT_ERRORS = (gexc.GoogleAPIError, GoogleAuthError, OSError)
# write_if re-decides after each lost race; past this many, the path is too contended to go on.
CONDITIONAL_ATTEMPTS = 10


def gcs_client(project: str, endpoint: str | None = None) -> storage.Client:
    """A storage client; against an emulator (``endpoint`` or STORAGE_EMULATOR_HOST) it is anonymous."""
    endpoint = endpoint or os.environ.get("STORAGE_EMULATOR_HOST")
    if endpoint:
        if "://" not in endpoint:
            endpoint = f"http://{endpoint}"
        return storage.Client(
            project=project, credentials=AnonymousCredentials(), client_options={"api_endpoint": endpoint}
        )
    return storage.Client(project=project)


def content_type(name: str) -> str:
    """The Content-Type an object is served with (static website hosting reads it from here)."""
    return next((t for suffix, t in CONTENT_TYPES.items() if name.endswith(suffix)), CONTENT_TYPE)


class GcsSink:
    """Objects ``gs://{bucket}/{prefix}{path}``; uploads are atomic on GCS, preconditions guard races."""

    def __init__(
        self, client: storage.Client, bucket: str, prefix: str = "", *, deadline_s: float = DEFAULT_DEADLINE_S
    ) -> None:
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        if prefix:
            check_path(prefix.rstrip("/"))
        self.client, self.bucket_name, self.prefix = client, bucket, prefix
        self._bucket = client.bucket(bucket)
        self._retry = DEFAULT_RETRY.with_timeout(deadline_s)
        self._timeout = (min(10.0, deadline_s), 60.0)  # (connect, read) seconds per attempt

    def _name(self, path: str) -> str:
        return self.prefix + check_path(path)

    def _generation(self, name: str) -> int:
        """The object's live generation, 0 when absent (the create precondition)."""
        blob = self._bucket.get_blob(name, retry=self._retry, timeout=self._timeout)
        return 0 if blob is None else int(blob.generation)

    def _upload(self, name: str, data: bytes, cache_control: str, generation: int) -> None:
        """Upload only if the object is still at ``generation`` (0: still absent); else PreconditionFailed."""
        blob = self._bucket.blob(name)
        blob.cache_control = cache_control
        blob.upload_from_string(
            data,
            content_type=content_type(name),
            if_generation_match=generation,
            retry=self._retry,
            timeout=self._timeout,
        )

    def write(self, path: str, data: bytes, *, cache_control: str = "public, max-age=300") -> None:
        name = self._name(path)
        try:
            generation = self._generation(name)
            for attempt in (1, 2):
                try:
                    self._upload(name, data, cache_control, generation)
                    return
                except gexc.PreconditionFailed:
                    if attempt == 2:
                        raise ExportSinkError(
                            f"GCS write of {self.location(path)} lost a race twice (generation changed "
                            "under it); another publisher is writing the same file"
                        ) from None
                    latest = self._generation(name)
                    log.warning(
                        "GCS precondition failed on %s (expected generation %s, now %s); retrying once",
                        self.location(path),
                        generation,
                        latest,
                    )
                    generation = latest
        except ExportSinkError:
            raise
        except _TRANSPORT_ERRORS as exc:
            raise ExportSinkError(f"GCS write of {self.location(path)} failed after retries: {exc}") from exc

    def write_if(
        self, path: str, data: bytes, allowed: Allowed, *, cache_control: str = "public, max-age=300"
    ) -> bool:
        """Read (bytes + generation), decide, upload with ``if_generation_match`` on that generation;
        a precondition failure means someone wrote in between: read again and decide again."""
        name = self._name(path)
        try:
            for _ in range(CONDITIONAL_ATTEMPTS):
                generation, current = self._current(name)
                if not allowed(current):
                    return False
                try:
                    self._upload(name, data, cache_control, generation)
                    return True
                except gexc.PreconditionFailed:
                    log.info("%s changed since it was read; deciding again", self.location(path))
        except _TRANSPORT_ERRORS as exc:
            raise ExportSinkError(f"GCS write of {self.location(path)} failed after retries: {exc}") from exc
        raise ExportSinkError(
            f"GCS write of {self.location(path)} lost the race {CONDITIONAL_ATTEMPTS} times; "
            "other publishers keep writing the same file"
        )

    def delete_if(self, path: str, allowed: Allowed) -> bool:
        """Read (bytes + generation), decide, then claim the decision with a conditional upload of the
        same bytes on that generation (a reader sees no change) and delete exactly the claimed
        generation. A precondition failure on the claim means someone wrote in between: read again
        and decide again. Why the claim: fake-gcs-server ignores preconditions on DELETE (GCS honours
        them), so the decision is guarded by the upload precondition both honour; the delete's own
        ``if_generation_match`` then covers the instant between claim and delete on GCS."""
        name = self._name(path)
        try:
            for _ in range(CONDITIONAL_ATTEMPTS):
                generation, current = self._current(name)
                if generation == 0 or current is None or not allowed(current):
                    return False
                blob = self._bucket.blob(name)
                try:
                    blob.upload_from_string(
                        current,
                        content_type=CONTENT_TYPE,
                        if_generation_match=generation,
                        retry=self._retry,
                        timeout=self._timeout,
                    )
                    blob.delete(if_generation_match=blob.generation, retry=self._retry, timeout=self._timeout)
                    return True
                except gexc.NotFound:
                    return False
                except gexc.PreconditionFailed:
                    log.info("%s changed since it was read; deciding again", self.location(path))
        except _TRANSPORT_ERRORS as exc:
            raise ExportSinkError(f"GCS delete of {self.location(path)} failed after retries: {exc}") from exc
        raise ExportSinkError(
            f"GCS delete of {self.location(path)} lost the race {CONDITIONAL_ATTEMPTS} times; "
            "other publishers keep writing the same file"
        )

    def _current(self, name: str) -> tuple[int, bytes | None]:
        """The live generation (0 when absent) and the bytes of exactly that generation."""
        for _ in range(CONDITIONAL_ATTEMPTS):
            generation = self._generation(name)
            if generation == 0:
                return 0, None
            try:
                data = self._bucket.blob(name).download_as_bytes(
                    if_generation_match=generation, retry=self._retry, timeout=self._timeout
                )
                return generation, data
            except (gexc.PreconditionFailed, gexc.NotFound):
                continue  # replaced or deleted between the two requests: read both again
        raise ExportSinkError(f"gs://{self.bucket_name}/{name} kept changing while it was read")

    def read(self, path: str) -> bytes | None:
        try:
            return self._bucket.blob(self._name(path)).download_as_bytes(
                retry=self._retry, timeout=self._timeout
            )
        except gexc.NotFound:
            return None
        except _TRANSPORT_ERRORS as exc:
            raise ExportSinkError(f"GCS read of {self.location(path)} failed after retries: {exc}") from exc

    def list(self, prefix: str = "") -> list[str]:
        try:
            blobs = self.client.list_blobs(
                self.bucket_name, prefix=self.prefix + prefix, retry=self._retry, timeout=self._timeout
            )
            return sorted(b.name[len(self.prefix) :] for b in blobs)
        except _TRANSPORT_ERRORS as exc:
            raise ExportSinkError(
                f"GCS list of gs://{self.bucket_name}/{self.prefix}{prefix} failed: {exc}"
            ) from exc

    def generation(self, path: str) -> int:
        """The live generation of ``path`` (0 when absent): for tests and operators."""
        return self._generation(self._name(path))

    def location(self, path: str) -> str:
        return f"gs://{self.bucket_name}/{self._name(path)}"

    def __repr__(self) -> str:
        return f"GcsSink(gs://{self.bucket_name}/{self.prefix})"
