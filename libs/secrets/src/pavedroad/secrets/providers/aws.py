"""``aws-sm:<id or ARN>[?stage=LABEL][#key]``: AWS Secrets Manager through boto3.

Credentials come from boto3's default chain: in EKS that is IRSA (the web identity token the
pod's annotated ServiceAccount receives) or EKS Pod Identity, elsewhere the usual environment,
profile or instance role. ``AWS_ENDPOINT_URL_SECRETS_MANAGER`` points the client elsewhere
(a VPC endpoint, or moto in tests).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NoReturn

from pavedroad.secrets.errors import (
    AuthenticationError,
    SecretNotFoundError,
    TransientBackendError,
)
from pavedroad.secrets.providers.base import FetchedSecret, Provider, SecretMetadata, select_key
from pavedroad.secrets.reference import SecretReference
from pavedroad.secrets.value import SecretValue

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

AWSCURRENT = "AWSCURRENT"
AWSPREVIOUS = "AWSPREVIOUS"
AWSPENDING = "AWSPENDING"

# Secrets Manager keeps about 100 versions; this bounds the listing loop all the same.
_MAX_VERSION_PAGES = 20
_AUTH_CODES = frozenset(
    {
        "AccessDeniedException",
        "UnrecognizedClientException",
        "InvalidClientTokenId",
        "ExpiredTokenException",
        "InvalidSignatureException",
        "DecryptionFailure",
    }
)
_TRANSIENT_CODES = frozenset(
    {
        "ThrottlingException",
        "TooManyRequestsException",
        "InternalServiceError",
        "InternalFailure",
        "ServiceUnavailable",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)


def make_client() -> SecretsManagerClient:
    """A Secrets Manager client on boto3's default chain with short timeouts and retries."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise ImportError(
            "aws-sm: references need boto3: install 'pavedroad-secrets[aws]'"
        ) from exc
    config = Config(
        connect_timeout=3,
        read_timeout=5,
        retries={"mode": "standard", "max_attempts": 3},
    )
    return boto3.session.Session().client("secretsmanager", config=config)


class AwsSecretsManagerProvider(Provider):
    """Reads AWS Secrets Manager secrets by id or ARN, at a staging label or version id."""

    schemes = ("aws-sm",)

    def __init__(self, client: SecretsManagerClient | None = None) -> None:
        self._client = client

    @property
    def client(self) -> SecretsManagerClient:
        """The boto3 client, created on first use so that importing costs nothing."""
        if self._client is None:
            self._client = make_client()
        return self._client

    def fetch(self, ref: SecretReference) -> FetchedSecret:
        kwargs: dict[str, Any] = {"SecretId": ref.body}
        version_id = ref.param("version-id")
        if version_id is not None:
            kwargs["VersionId"] = version_id
        kwargs["VersionStage"] = ref.param("stage") or (None if version_id else AWSCURRENT)
        if kwargs["VersionStage"] is None:
            del kwargs["VersionStage"]
        try:
            response = self.client.get_secret_value(**kwargs)
        except Exception as exc:
            raise_for(exc, ref)
        if "SecretString" in response:
            document = response["SecretString"]
        else:
            try:
                document = response["SecretBinary"].decode("utf-8")
            except UnicodeDecodeError:
                raise SecretNotFoundError(
                    f"aws-sm: secret {ref} holds binary data that is not UTF-8 text; "
                    "store it as SecretString (base64-encode it)",
                    reference=str(ref),
                    provider=ref.scheme,
                ) from None
        value = SecretValue(select_key(document, ref, ref.scheme))
        return FetchedSecret(value, version=response.get("VersionId"))

    def describe(self, ref: SecretReference) -> SecretMetadata:
        """When the version at the reference's stage (AWSCURRENT by default) was created."""
        stage = ref.param("stage") or AWSCURRENT
        wanted = ref.param("version-id")
        try:
            kwargs: dict[str, Any] = {"SecretId": ref.body, "MaxResults": 100}
            for _ in range(_MAX_VERSION_PAGES):
                page = self.client.list_secret_version_ids(**kwargs)
                for version in page.get("Versions", []):
                    matches = (
                        version.get("VersionId") == wanted
                        if wanted
                        else stage in version.get("VersionStages", [])
                    )
                    if matches:
                        created = version.get("CreatedDate")
                        return SecretMetadata(
                            None if created is None else utc(created), version.get("VersionId")
                        )
                if "NextToken" not in page:
                    break
                kwargs["NextToken"] = page["NextToken"]
        except Exception as exc:
            raise_for(exc, ref)
        raise SecretNotFoundError(
            f"aws-sm: secret {ref.without_key()} has no version "
            f"{'with id ' + wanted if wanted else 'at stage ' + stage}",
            reference=str(ref),
            provider=ref.scheme,
        )


def raise_for(exc: Exception, ref: SecretReference | str) -> NoReturn:
    """Translate a botocore exception into this library's error types, then raise it."""
    from botocore.exceptions import (
        ClientError,
        ConnectionError,
        HTTPClientError,
        NoCredentialsError,
        NoRegionError,
        PartialCredentialsError,
    )

    text = str(ref)
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        message = exc.response.get("Error", {}).get("Message", "")
        if code == "ResourceNotFoundException":
            raise SecretNotFoundError(
                f"aws-sm: secret {text} not found ({message}); check the secret id, the "
                "stage or version, and the region (AWS_REGION)",
                reference=text,
                provider="aws-sm",
            ) from None
        if code in _AUTH_CODES:
            raise AuthenticationError(
                f"aws-sm: access to {text} refused ({code}); grant "
                "secretsmanager:GetSecretValue (and kms:Decrypt) to the pod's IAM role",
                reference=text,
                provider="aws-sm",
            ) from None
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _TRANSIENT_CODES or status >= 500:
            raise TransientBackendError(
                f"aws-sm: reading {text} failed with {code or status}; will retry",
                reference=text,
                provider="aws-sm",
            ) from None
        raise SecretNotFoundError(
            f"aws-sm: reading {text} failed with {code}: {message}",
            reference=text,
            provider="aws-sm",
        ) from None
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        raise AuthenticationError(
            f"aws-sm: no AWS credentials for {text}; in EKS annotate the ServiceAccount with "
            "eks.amazonaws.com/role-arn (IRSA), elsewhere set a profile or role",
            reference=text,
            provider="aws-sm",
        ) from None
    if isinstance(exc, NoRegionError):
        raise SecretNotFoundError(
            f"aws-sm: no AWS region for {text}; set AWS_REGION or use the secret's full ARN "
            "with a configured region",
            reference=text,
            provider="aws-sm",
        ) from None
    if isinstance(exc, ConnectionError | HTTPClientError):
        raise TransientBackendError(
            f"aws-sm: cannot reach Secrets Manager for {text} ({type(exc).__name__}); will retry",
            reference=text,
            provider="aws-sm",
        ) from None
    raise exc


def utc(moment: datetime) -> datetime:
    """``moment`` as an aware UTC datetime (botocore returns aware ones; moto may not)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
