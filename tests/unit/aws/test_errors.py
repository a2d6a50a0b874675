"""botocore errors become the bot's own exceptions at the edge, with short useful messages."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError, EndpointConnectionError, NoCredentialsError, ReadTimeoutError

from bot import errors
from bot.aws.errors import to_bot_error


def client_error(code: str, message: str = "msg", status: int = 400) -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "DescribeTableStatistics")


@pytest.mark.parametrize(
    ("code", "status", "expected"),
    [
        ("ResourceNotFoundFault", 400, errors.TaskNotFound),
        ("InvalidResourceStateFault", 400, errors.InvalidTaskState),
        ("AccessDeniedFault", 400, errors.DmsAccessDenied),
        ("AccessDeniedException", 400, errors.DmsAccessDenied),
        ("ThrottlingException", 400, errors.DmsThrottled),
        ("UnrecognizedClientException", 400, errors.CredentialsError),
        ("ExpiredTokenException", 400, errors.CredentialsError),
        ("InternalFailure", 500, errors.DmsUnavailable),
        ("ServiceUnavailable", 503, errors.DmsUnavailable),
        ("InvalidParameterValueException", 400, errors.DmsError),
    ],
)
def test_client_errors_map_by_code(code: str, status: int, expected: type[errors.DmsError]) -> None:
    """Each AWS error code maps to one bot exception class."""
    mapped = to_bot_error(client_error(code, status=status))
    assert type(mapped) is expected
    assert code in str(mapped)


def test_access_denied_message_keeps_code_and_text() -> None:
    """The report's error reads "AccessDeniedFault: ..." like DESIGN.md's example."""
    assert (
        str(to_bot_error(client_error("AccessDeniedFault", "not authorized")))
        == "AccessDeniedFault: not authorized"
    )


def test_transport_errors_are_unavailable_or_credentials() -> None:
    """No credentials, unreachable endpoint and timeouts each get a clear class."""
    assert isinstance(to_bot_error(NoCredentialsError()), errors.CredentialsError)
    assert isinstance(to_bot_error(EndpointConnectionError(endpoint_url="http://x")), errors.DmsUnavailable)
    assert isinstance(to_bot_error(ReadTimeoutError(endpoint_url="http://x")), errors.DmsUnavailable)


def test_long_multiline_messages_become_one_bounded_line() -> None:
    """A huge, multi-line AWS message cannot flood a report or a terminal."""
    mapped = to_bot_error(client_error("Weird", "line1\nline2 " + "x" * 5000))
    assert "\n" not in str(mapped)
    assert len(str(mapped)) < 400
