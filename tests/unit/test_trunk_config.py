import pytest

from dialer.telephony import (
    E164,
    DigestCredentials,
    InvalidNumber,
    OriginateRequest,
    SipHeader,
    TrunkConfig,
    TrunkConfigError,
)
from dialer.telephony.events import LegId

pytestmark = pytest.mark.unit


def trunk(**kw: object) -> TrunkConfig:
    args: dict[str, object] = {
        "name": "carrier",
        "uri_template": "sip:{number}@127.0.0.1:15060",
        "caller_id": E164("+14155550100"),
    }
    args.update(kw)
    return TrunkConfig(**args)  # type: ignore[arg-type]


def test_request_uri_is_built_from_a_validated_e164_number() -> None:
    assert trunk().request_uri(E164("+442079460000")) == "sip:+442079460000@127.0.0.1:15060"
    digits = trunk(uri_template="sip:{digits}@carrier.example")
    assert digits.request_uri(E164("+442079460000")) == "sip:442079460000@carrier.example"


def test_request_uri_refuses_anything_but_an_e164_value() -> None:
    with pytest.raises(TypeError):
        trunk().request_uri("+442079460000")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "raw", ["442079460000", "+0442079460000", "+44 20 7946", "sip:evil@x", "+1234", "+1;x=y"]
)
def test_malformed_numbers_are_rejected(raw: str) -> None:
    with pytest.raises(InvalidNumber):
        E164(raw)


@pytest.mark.parametrize(
    "template",
    [
        "sip:100@host",
        "sip:{number}{number}@host",
        "tel:{number}",
        "sip:{number}@host with space",
        "sip:{nummer}@host",
        "sip:x{number}@host",
    ],
)
def test_bad_uri_templates_are_rejected(template: str) -> None:
    with pytest.raises(TrunkConfigError):
        trunk(uri_template=template)


def test_limits_and_proxy_are_validated() -> None:
    with pytest.raises(TrunkConfigError):
        trunk(max_lines=0)
    with pytest.raises(TrunkConfigError):
        trunk(max_calls_per_second=0)
    with pytest.raises(TrunkConfigError):
        trunk(outbound_proxy="127.0.0.1:5060")
    with pytest.raises(TrunkConfigError):
        DigestCredentials("user", "")


def test_caller_id_goes_in_from_and_p_asserted_identity() -> None:
    request = OriginateRequest.to_number(
        LegId("a:customer"), trunk(caller_name="Acme"), E164("+442079460000")
    )
    assert request.from_uri == '"Acme" <sip:+14155550100@127.0.0.1:15060>'
    assert SipHeader("P-Asserted-Identity", "<sip:+14155550100@127.0.0.1:15060>") in request.headers


def test_password_never_appears_in_repr() -> None:
    assert "s3cret" not in repr(trunk(credentials=DigestCredentials("u", "s3cret")))


def test_header_values_with_line_breaks_are_refused() -> None:
    with pytest.raises(ValueError, match="line break"):
        SipHeader("X-Contact-Name", "Bob\r\nX-Evil: 1")
