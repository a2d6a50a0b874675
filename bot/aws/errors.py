"""Map botocore exceptions to the bot's own, at the edge. Nothing above ``bot.aws`` sees botocore."""

from __future__ import annotations

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
)

from bot import errors

_ACCESS_DENIED = {
    "AccessDeniedFault",
    "AccessDeniedException",
    "AccessDenied",
    "UnauthorizedOperation",
    "UnauthorizedException",
}
_BAD_CREDENTIALS = {
    "UnrecognizedClientException",
    "InvalidClientTokenId",
    "InvalidSignatureException",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "ExpiredTokenException",
    "RequestExpired",
}
_THROTTLED = errors.THROTTLING_CODES


def one_line(text: str, limit: int = 300) -> str:
    text = " ".join(text.encode("utf-8", "replace").decode("utf-8").split())  # no lone surrogates
    return text if len(text) <= limit else text[: limit - 1] + "…"


def from_client_error(exc: ClientError) -> errors.DmsError:
    error = exc.response.get("Error", {})
    code = str(error.get("Code") or "Unknown")
    message = one_line(str(error.get("Message") or "no message"))
    status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
    text = f"{code}: {message}"
    if code == "ResourceNotFoundFault":
        return errors.TaskNotFound(text)
    if code == "InvalidResourceStateFault":
        return errors.InvalidTaskState(text)
    if code in _ACCESS_DENIED:
        return errors.DmsAccessDenied(text, code=code)
    if code in _BAD_CREDENTIALS:
        return errors.CredentialsError(f"{code}: AWS rejected the credentials ({message})", code=code)
    if code in _THROTTLED:
        return errors.DmsThrottled(f"{code}: DMS is throttling API calls ({message})", code=code)
    if isinstance(status, int) and status >= 500:
        return errors.DmsUnavailable(f"DMS answered HTTP {status} ({code}: {message})", code=code)
    return errors.DmsError(text, code=code)


def to_bot_error(exc: Exception) -> errors.DmsError:
    """The bot's exception for any botocore failure."""
    if isinstance(exc, ClientError):
        return from_client_error(exc)
    if isinstance(exc, NoCredentialsError | PartialCredentialsError):
        return errors.CredentialsError(
            "no AWS credentials found (set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
            "or run where an instance/task role is available)"
        )
    if isinstance(exc, CredentialRetrievalError):
        return errors.CredentialsError(f"could not obtain AWS credentials ({one_line(str(exc))})")
    if isinstance(exc, NoRegionError):
        return errors.CredentialsError(
            "no AWS region: set AWS_REGION (or AWS_DEFAULT_REGION) or 'region' in the target's config"
        )
    if isinstance(exc, EndpointConnectionError | ConnectTimeoutError):
        return errors.DmsUnavailable(f"cannot reach DMS ({one_line(str(exc))})")
    if isinstance(exc, ReadTimeoutError):
        return errors.DmsUnavailable(f"DMS did not answer in time ({one_line(str(exc))})")
    if isinstance(exc, ConnectionClosedError):
        return errors.DmsUnavailable(f"DMS closed the connection without answering ({one_line(str(exc))})")
    if isinstance(exc, BotoCoreError):
        return errors.DmsError(one_line(str(exc)), code=type(exc).__name__)
    if isinstance(exc, ValueError):  # botocore's parser, e.g. a timestamp it cannot read
        return errors.DmsError(
            f"DMS sent a response the bot cannot read ({one_line(str(exc))})", code="MalformedResponse"
        )
    return errors.DmsError(one_line(f"{type(exc).__name__}: {exc}"), code=type(exc).__name__)
