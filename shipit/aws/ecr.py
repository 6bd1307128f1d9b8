"""ECR's control plane: repositories, the images they hold, and registry login tokens.

Functions over the AwsSession (the style of shipit.aws); every AWS error becomes a shipit error.

The registry data plane (blobs and manifests over the Docker registry API) is not here: the
builder pushes to it. This module only reads and changes what the ECR API sees.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from shipit.aws.errors import translate
from shipit.errors import AwsError, ResourceNotFound
from shipit.image.manifest import INDEX_TYPES, MANIFEST_TYPES

if TYPE_CHECKING:
    from shipit.aws.session import AwsSession

MANIFEST_MEDIA_TYPES = (*INDEX_TYPES, *MANIFEST_TYPES)
# ImageTagAlreadyExistsException is what AWS raises for an immutable tag; moto 5.2 raises
# ImageAlreadyExistsException for it (AWS uses that one for "same digest and tag again").
TAG_TAKEN_CODES = frozenset({"ImageTagAlreadyExistsException", "ImageAlreadyExistsException"})


@dataclass(frozen=True)
class Repository:
    name: str
    arn: str
    uri: str
    registry_id: str
    tag_mutability: str
    mutable_tag_filters: tuple[str, ...]
    scan_on_push: bool
    encryption: str
    kms_key: str | None = None

    @property
    def host(self) -> str:
        """The registry host, e.g. 123456789012.dkr.ecr.us-east-1.amazonaws.com."""
        return self.uri.split("/", 1)[0]


@dataclass(frozen=True)
class StoredImage:
    """An image as the ECR API reports it: its digest, tags and manifest (byte-for-byte)."""

    digest: str
    tags: tuple[str, ...]
    manifest: str
    media_type: str


@dataclass(frozen=True)
class RegistryLogin:
    """A decoded ECR login. The password is never part of repr() or str()."""

    username: str
    password: str = field(repr=False)
    endpoint: str

    def __str__(self) -> str:
        return f"RegistryLogin(username={self.username!r}, endpoint={self.endpoint!r})"


def find_repository(aws: AwsSession, name: str) -> Repository | None:
    try:
        found = aws.client("ecr").describe_repositories(repositoryNames=[name])["repositories"]
    except Exception as exc:
        if _code(exc) == "RepositoryNotFoundException":
            return None
        raise translate(exc, operation="ecr:DescribeRepositories", resource=name) from None
    return _repository(found[0]) if found else None

def create_repository(
    aws: AwsSession, name: str, *, mutable_tags: tuple[str, ...], kms_key: str | None = None
) -> tuple[Repository, bool]:
    """Create ``name`` with immutable tags except ``mutable_tags``, scan on push, encryption.

    Returns the repository and whether the exclusion filters were accepted: an endpoint
    without IMMUTABLE_WITH_EXCLUSION gets a plain IMMUTABLE repository instead.
    """
    encryption: dict[str, Any] = {"encryptionType": "KMS", "kmsKey": kms_key} if kms_key \
        else {"encryptionType": "AES256"}
    common: dict[str, Any] = {
        "repositoryName": name,
        "imageScanningConfiguration": {"scanOnPush": True},
        "encryptionConfiguration": encryption,
    }
    filters: Any = [{"filter": tag, "filterType": "WILDCARD"} for tag in mutable_tags]
    try:
        created = aws.client("ecr").create_repository(
            imageTagMutability="IMMUTABLE_WITH_EXCLUSION",
            imageTagMutabilityExclusionFilters=filters,
            **common,
        )
        return _repository(created["repository"]), True
    except Exception as exc:
        if not exclusion_unsupported(exc):
            raise translate(exc, operation="ecr:CreateRepository", resource=name) from None
    try:
        created = aws.client("ecr").create_repository(imageTagMutability="IMMUTABLE", **common)
    except Exception as exc:
        raise translate(exc, operation="ecr:CreateRepository", resource=name) from None
    return _repository(created["repository"]), False

def stored_image(aws: AwsSession, repository: str, tag: str) -> StoredImage | None:
    """The image ``repository:tag`` with its manifest, or None when the tag is unknown."""
    image_id: Any = {"imageTag": tag}
    try:
        response = aws.client("ecr").batch_get_image(
            repositoryName=repository,
            imageIds=[image_id],
            acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
        )
    except Exception as exc:
        raise translate(exc, operation="ecr:BatchGetImage", resource=repository) from None
    for image in response.get("images", []):
        image_ids = image.get("imageId", {})
        return StoredImage(
            digest=image_ids.get("imageDigest", ""),
            tags=tuple(_tags_of(aws, repository, image_ids.get("imageDigest", ""))),
            manifest=image.get("imageManifest", ""),
            media_type=image.get("imageManifestMediaType", ""),
        )
    return None

def stored_images(aws: AwsSession, repository: str, tags: tuple[str, ...]
                  ) -> dict[str, StoredImage]:
    """Tag -> the image it holds, for every tag of ``tags`` that exists: ONE BatchGetImage."""
    image_ids: Any = [{"imageTag": tag} for tag in dict.fromkeys(tags)]
    try:
        response = aws.client("ecr").batch_get_image(
            repositoryName=repository, imageIds=image_ids,
            acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES))
    except Exception as exc:
        raise translate(exc, operation="ecr:BatchGetImage", resource=repository) from None
    images = response.get("images", [])
    failed = {f.get("imageId", {}).get("imageTag") for f in response.get("failures", [])}
    present = [t for t in dict.fromkeys(tags) if t not in failed]
    # Images come back in the order asked (moto names each by one of its tags, not the one
    # asked for): pair them by order when the counts agree, else by the tag they carry.
    pairs = list(zip(present, images, strict=True)) if len(present) == len(images) else [
        (i.get("imageId", {}).get("imageTag", ""), i) for i in images]
    found: dict[str, StoredImage] = {}
    for tag, image in pairs:
        digest = image.get("imageId", {}).get("imageDigest", "")
        found[tag] = StoredImage(
            digest=digest, tags=tuple(t for t, i in pairs
                                      if i.get("imageId", {}).get("imageDigest") == digest),
            manifest=image.get("imageManifest", ""),
            media_type=image.get("imageManifestMediaType", ""))
    return found


def tags_of(aws: AwsSession, repository: str, digest: str) -> list[str]:
    """Every tag that points at ``digest`` ([] when the digest is not in the repository)."""
    return _tags_of(aws, repository, digest)


def _tags_of(aws: AwsSession, repository: str, digest: str) -> list[str]:
    image_id: Any = {"imageDigest": digest}
    try:
        details = aws.client("ecr").describe_images(repositoryName=repository, imageIds=[image_id])
    except Exception as exc:
        if _code(exc) == "ImageNotFoundException":
            return []
        raise translate(exc, operation="ecr:DescribeImages", resource=repository) from None
    return [tag for d in details.get("imageDetails", []) for tag in d.get("imageTags", [])]

def login(aws: AwsSession) -> RegistryLogin:
    """A registry login from ecr:GetAuthorizationToken, decoded (``AWS:<password>``)."""
    try:
        data = aws.client("ecr").get_authorization_token()["authorizationData"]
    except Exception as exc:
        raise translate(exc, operation="ecr:GetAuthorizationToken") from None
    if not data:
        raise AwsError("ecr:GetAuthorizationToken returned no authorization data",
                       operation="ecr:GetAuthorizationToken")
    try:
        decoded = base64.b64decode(data[0]["authorizationToken"], validate=True).decode()
    except (binascii.Error, UnicodeDecodeError, KeyError):
        decoded = ""
    username, sep, password = decoded.partition(":")
    if not sep or not password:
        # Deliberately no detail: the message must not echo any part of the token.
        raise AwsError("ecr:GetAuthorizationToken returned a token shipit cannot decode",
                       operation="ecr:GetAuthorizationToken")
    return RegistryLogin(username=username, password=password,
                         endpoint=data[0].get("proxyEndpoint", ""))


@dataclass(frozen=True)
class ResolvedImage:
    digest: str
    registry_id: str
    tags: tuple[str, ...]


def resolve_image(
    aws: AwsSession, repository: str, *, tag: str | None = None, digest: str | None = None
) -> ResolvedImage:
    """``repository:tag`` (``latest`` by default) or ``repository@digest`` as ECR knows it.

    An image that is not there (or a repository that is not) is ResourceNotFound.
    """
    image_id: Any = {"imageDigest": digest} if digest else {"imageTag": tag or "latest"}
    shown = f"{repository}@{digest}" if digest else f"{repository}:{tag or 'latest'}"
    missing = f"image {shown} not found in ECR ({aws.region})"
    try:
        details = aws.client("ecr").describe_images(repositoryName=repository,
                                                    imageIds=[image_id])["imageDetails"]
    except Exception as exc:
        error = translate(exc, operation="ecr:DescribeImages", resource=shown)
        if isinstance(error, ResourceNotFound):
            raise ResourceNotFound(
                missing, hint="push it first (`shipit push`), or check the tag and aws.region",
                operation="ecr:DescribeImages", code=error.code,
            ) from None
        raise error from None
    if not details:
        raise ResourceNotFound(missing, hint="push it first (`shipit push`)")
    found = details[0]
    return ResolvedImage(digest=str(found.get("imageDigest", "")),
                         registry_id=str(found.get("registryId", "")),
                         tags=tuple(found.get("imageTags", [])))


def _repository(raw: Any) -> Repository:
    encryption = raw.get("encryptionConfiguration") or {}
    filters = raw.get("imageTagMutabilityExclusionFilters") or []
    return Repository(
        name=raw["repositoryName"],
        arn=raw["repositoryArn"],
        uri=raw["repositoryUri"],
        registry_id=raw["registryId"],
        tag_mutability=raw.get("imageTagMutability", "MUTABLE"),
        mutable_tag_filters=tuple(str(f.get("filter", "")) for f in filters),
        scan_on_push=bool((raw.get("imageScanningConfiguration") or {}).get("scanOnPush")),
        encryption=str(encryption.get("encryptionType", "AES256")),
        kms_key=encryption.get("kmsKey"),
    )


def _code(exc: BaseException) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", ""))


def exclusion_unsupported(exc: BaseException) -> bool:
    """True when the endpoint (or an old botocore) does not know tag-mutability exclusions."""
    if type(exc).__name__ == "ParamValidationError":
        return True
    code = _code(exc)
    message = str(getattr(exc, "response", {}).get("Error", {}).get("Message", "")).lower()
    return code in {"InvalidParameterException", "ValidationException"} and (
        "exclusion" in message or "imagetagmutability" in message
    )


@dataclass(frozen=True)
class Image:
    """An image as the registry holds it; platforms None when the manifest is opaque."""

    reference: str
    digest: str
    media_type: str
    platforms: tuple[str, ...] | None


def read_image(aws: AwsSession, reference: str, registry_id: str, repository: str, ref: str,
               region: str | None = None) -> Image:
    """The image ``repository`` at tag or digest ``ref``, with its platforms when it is an index.

    Raises ResourceNotFound when the repository or the image does not exist.
    """
    from shipit.errors import ResourceNotFound
    from shipit.image.manifest import ImageIndex, RawManifest, parse_manifest

    client = aws.client("ecr", region=region)
    image_id: Any = {"imageDigest": ref} if ref.startswith("sha256:") else {"imageTag": ref}
    try:
        answer = client.batch_get_image(
            registryId=registry_id, repositoryName=repository, imageIds=[image_id],
            acceptedMediaTypes=list(MANIFEST_MEDIA_TYPES),
        )
    except Exception as exc:
        if _code(exc) == "RepositoryNotFoundException":
            raise ResourceNotFound(f"repository {repository} does not exist",
                                   operation="ecr:BatchGetImage") from None
        raise translate(exc, operation="ecr:BatchGetImage", resource=repository) from None
    if not answer["images"]:
        failure = answer["failures"][0] if answer["failures"] else {}
        raise ResourceNotFound(failure.get("failureReason", f"{ref} not found in {repository}"),
                               operation="ecr:BatchGetImage")
    found = answer["images"][0]
    digest = found.get("imageId", {}).get("imageDigest", "")
    parsed = parse_manifest(RawManifest(
        found.get("imageManifest", "{}").encode(), found.get("imageManifestMediaType", ""), digest
    ))
    platforms = None
    if isinstance(parsed, ImageIndex):
        platforms = tuple(dict.fromkeys(f"{d.os}/{d.architecture}" for d in parsed.images))
    return Image(reference, digest, parsed.media_type, platforms)
