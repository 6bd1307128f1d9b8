"""shipit web deploy: the static frontend to an S3 bucket with website hosting, verified.

    check    [web] and http.url are set, the folder exists, the bucket is in aws.region
    plan     bucket to create, website hosting to turn on, files to upload (ETag = MD5)
    stop     on --dry-run
    apply    create + configure when needed, upload what differs
    verify   read every object back: bytes (MD5), content type and cache header

A second run with nothing changed uploads nothing. Objects in the bucket that the folder no
longer has are reported, never deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from shipit.aws import s3
from shipit.config.origins import web_origin
from shipit.errors import Failed, RegionProblem, UsageError
from shipit.s3_website import website_host
from shipit.web.site import INDEX, SiteFile, collect

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession
    from shipit.config import Settings

Progress = Callable[[str], None]


@dataclass(frozen=True)
class WebTarget:
    """What to deploy where, from the [web] keys of one environment."""

    bucket: str
    region: str
    folder: Path
    api_url: str
    asset_max_age: int
    page_url: str
    """Where browsers open the page (web.origin, http://web.name, or the website endpoint)."""

    @property
    def website_endpoint(self) -> str:
        return f"http://{website_host(self.bucket, self.region)}"


@dataclass(frozen=True)
class Upload:
    file: SiteFile
    reason: str  # new | changed | metadata


@dataclass(frozen=True)
class WebPlan:
    target: WebTarget
    files: tuple[SiteFile, ...]
    create_bucket: bool
    configure_website: bool
    uploads: tuple[Upload, ...]
    unchanged: tuple[str, ...]
    stale: tuple[str, ...]
    """Keys in the bucket that the folder does not have (left alone)."""

    @property
    def up_to_date(self) -> bool:
        return not (self.create_bucket or self.configure_website or self.uploads)

    def describe(self) -> list[str]:
        t = self.target
        lines = [f"create bucket {t.bucket} in {t.region}"] if self.create_bucket else []
        if self.configure_website:
            lines.append(f"website hosting on {t.bucket} (index {INDEX}), public read")
        lines += [f"upload {u.file.key} ({u.reason}; {u.file.content_type};"
                  f" {u.file.cache_control})" for u in self.uploads]
        lines += [f"unchanged {key}" for key in self.unchanged]
        lines += [f"left alone {key} (not in {t.folder.name}/)" for key in self.stale]
        return lines


@dataclass(frozen=True)
class WebResult:
    plan: WebPlan
    dry_run: bool
    uploaded: tuple[str, ...] = ()
    verified: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def status(self) -> str:
        if self.dry_run:
            return "planned"
        return "deployed" if self.uploaded or self.plan.create_bucket \
            or self.plan.configure_website else "unchanged"

    def to_dict(self) -> dict[str, Any]:
        t = self.plan.target
        return {
            "bucket": t.bucket, "region": t.region, "status": self.status,
            "dry_run": self.dry_run, "page_url": t.page_url,
            "website_endpoint": t.website_endpoint, "api_url": t.api_url,
            "created_bucket": self.plan.create_bucket and not self.dry_run,
            "configured_website": self.plan.configure_website and not self.dry_run,
            "uploads": [{"key": u.file.key, "reason": u.reason, "content_type":
                         u.file.content_type, "cache_control": u.file.cache_control}
                        for u in self.plan.uploads],
            "uploaded": list(self.uploaded), "unchanged": list(self.plan.unchanged),
            "stale": list(self.plan.stale), "verified": list(self.verified),
            "notes": list(self.notes),
        }


def target_from_settings(settings: Settings, root: Path, region: str) -> WebTarget:
    """The deploy target, or a usage error (exit 2) naming the missing key."""
    web = settings.web
    if not web.bucket:
        raise UsageError("no web.bucket: nowhere to deploy the frontend to",
                         hint="add a [web] table with bucket = \"NAME\" to shipit.toml (for"
                         " this environment: [env.NAME.web]); see docs/commands/web.md")
    if not settings.http.url:
        raise UsageError("no http.url: config.js would not know where the API is",
                         hint="set http.url in shipit.toml for this environment")
    folder = Path(web.folder)
    folder = folder if folder.is_absolute() else root / folder
    page = web_origin(settings) or f"http://{website_host(web.bucket, region)}"
    return WebTarget(web.bucket, region, folder, settings.http.url, web.asset_max_age, page)


def plan(aws: AwsSession, target: WebTarget) -> WebPlan:
    files = tuple(collect(target.folder, target.api_url, target.asset_max_age))
    where = s3.bucket_region(aws, target.bucket)
    if where is not None and where != target.region:
        raise RegionProblem(
            f"bucket {target.bucket} is in {where}, but this environment's region is"
            f" {target.region}",
            hint=f"set aws.region = \"{where}\" for this environment, or pick another"
            " web.bucket (bucket names are global: one name, one region)",
            operation="s3:GetBucketLocation",
        )
    if where is None:
        return WebPlan(target, files, True, True, tuple(Upload(f, "new") for f in files),
                       (), ())
    stored = s3.list_objects(aws, target.bucket)
    uploads: list[Upload] = []
    unchanged: list[str] = []
    for file in files:
        if file.key not in stored:
            uploads.append(Upload(file, "new"))
        elif stored[file.key] != file.md5:
            uploads.append(Upload(file, "changed"))
        elif _metadata_differs(s3.head_object(aws, target.bucket, file.key), file):
            uploads.append(Upload(file, "metadata"))
        else:
            unchanged.append(file.key)
    keys = {f.key for f in files}
    stale = tuple(sorted(key for key in stored if key not in keys))
    configure = s3.website_index(aws, target.bucket) != INDEX
    return WebPlan(target, files, False, configure, tuple(uploads), tuple(unchanged), stale)


def apply(aws: AwsSession, web_plan: WebPlan, progress: Progress) -> tuple[str, ...]:
    t = web_plan.target
    if web_plan.create_bucket:
        s3.create_bucket(aws, t.bucket, t.region)
        progress(f"created bucket {t.bucket} in {t.region}")
    if web_plan.configure_website:
        s3.configure_website(aws, t.bucket, INDEX)
        progress(f"website hosting on: {t.website_endpoint}")
    uploaded: list[str] = []
    for upload in web_plan.uploads:
        f = upload.file
        etag = s3.put_object(aws, t.bucket, f.key, f.body, f.content_type, f.cache_control)
        if etag != f.md5:
            raise Failed(f"S3 stored {f.key} with ETag {etag}, expected the MD5 {f.md5}",
                         hint="a bucket with SSE-KMS default encryption has ETags that are not"
                         " MD5s; use SSE-S3 (AES256) for a website bucket")
        uploaded.append(f.key)
        progress(f"uploaded {f.key} ({upload.reason})")
    return tuple(uploaded)


def verify(aws: AwsSession, web_plan: WebPlan) -> tuple[str, ...]:
    """Read every object back; exit 1 names the first that differs from what was sent."""
    t = web_plan.target
    problems: list[str] = []
    for file in web_plan.files:
        stored, body = s3.get_object(aws, t.bucket, file.key)
        got = SiteFile(file.key, body, stored.content_type, stored.cache_control)
        if got.md5 != file.md5:
            problems.append(f"{file.key}: read back MD5 {got.md5}, sent {file.md5}")
        elif _metadata_differs(stored, file):
            problems.append(f"{file.key}: read back {stored.content_type!r} /"
                            f" {stored.cache_control!r}, sent {file.content_type!r} /"
                            f" {file.cache_control!r}")
    index = s3.website_index(aws, t.bucket)
    if index != INDEX:
        problems.append(f"website hosting of {t.bucket}: index document {index!r}, not {INDEX}")
    if problems:
        raise Failed(f"the website read back differs: {problems[0]}",
                     hint="rerun `shipit web deploy`; " + "; ".join(problems[1:4]))
    return tuple(f.key for f in web_plan.files)


@dataclass(frozen=True)
class WebOptions:
    """What `shipit web deploy` is asked."""

    root: Path
    """The project's folder: web.folder is under it."""
    dry_run: bool = False


def run(
    settings: Settings, aws: AwsSession, options: WebOptions, *,
    progress: Progress = lambda line: None,
) -> WebResult:
    """The whole verb as a library call (the CLI and the demo use this)."""
    dry_run = options.dry_run
    target = target_from_settings(settings, options.root, aws.region)
    progress(f"bucket {target.bucket} ({target.region}) <- {target.folder};"
             f" config.js -> {target.api_url}")
    web_plan = plan(aws, target)
    if dry_run:
        return WebResult(web_plan, dry_run=True)
    uploaded = apply(aws, web_plan, progress)
    verified = verify(aws, web_plan)
    notes = (f"{len(web_plan.stale)} object(s) in the bucket are not in the folder and were"
             " left alone",) if web_plan.stale else ()
    return WebResult(web_plan, dry_run=False, uploaded=uploaded, verified=verified, notes=notes)


def _metadata_differs(stored: s3.StoredObject, file: SiteFile) -> bool:
    return stored.content_type != file.content_type or stored.cache_control != file.cache_control
