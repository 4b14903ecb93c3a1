"""Fake secrets for the redaction tests and benchmarks.

Each sample is assembled at run time from harmless pieces, so the repository itself holds no
string that a secret scanner (gitleaks, detect-secrets) would flag.
"""

from __future__ import annotations

import base64
import random
import string

_RNG = random.Random(20240601)


def _chars(alphabet: str, length: int) -> str:
    return "".join(_RNG.choice(alphabet) for _ in range(length))


ALNUM = string.ascii_letters + string.digits
UPPER_ALNUM = string.ascii_uppercase + string.digits


def slack_bot_token() -> str:
    return "xox" + "b-" + "1234567890-1234567890123-" + _chars(ALNUM, 24)


def slack_user_token() -> str:
    return "xox" + "p-" + "1234567890-1234567890-1234567890123-" + _chars("abcdef0123456789", 32)


def slack_app_token() -> str:
    return "xa" + "pp-1-A0123ABCDEF-1234567890123-" + _chars("abcdef0123456789", 64)


def slack_webhook() -> str:
    return "https://hooks." + "slack.com/services/T0123ABCD/B0123ABCD/" + _chars(ALNUM, 24)


def aws_access_key_id() -> str:
    return "AK" + "IA" + _chars(UPPER_ALNUM, 16)


def aws_secret_access_key() -> str:
    return (
        _chars(string.ascii_lowercase, 10)
        + _chars(string.ascii_uppercase, 10)
        + "/+"
        + _chars(ALNUM, 18)
    )


def github_token() -> str:
    return "gh" + "p_" + _chars(ALNUM, 36)


def github_fine_grained_token() -> str:
    return "github" + "_pat_" + _chars(ALNUM, 22) + "_" + _chars(ALNUM, 59)


def gitlab_token() -> str:
    return "gl" + "pat-" + _chars(ALNUM + "_-", 20)


def stripe_live_key() -> str:
    return "sk" + "_live_" + _chars(ALNUM, 24)


def google_api_key() -> str:
    return "AI" + "za" + _chars(ALNUM + "_-", 35)


def jwt() -> str:
    header = base64.urlsafe_b64encode(b'{"alg":"HS256","typ":"JWT"}').rstrip(b"=").decode()
    payload = base64.urlsafe_b64encode(b'{"sub":"U0123ABCD","iat":1700000000}').rstrip(b"=")
    return f"{header}.{payload.decode()}.{_chars(ALNUM + '_-', 43)}"


def private_key() -> str:
    body = "\n".join(_chars(ALNUM + "+/", 64) for _ in range(5))
    kind = "RSA " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{body}\n-----END {kind}-----"


def openssh_private_key() -> str:
    kind = "OPENSSH " + "PRIVATE KEY"
    return f"-----BEGIN {kind}-----\n{_chars(ALNUM + '+/', 70)}\n-----END {kind}-----"


def basic_credentials() -> str:
    return base64.b64encode(b"svc-user:" + _chars(ALNUM, 16).encode()).decode()


def bearer_token() -> str:
    return _chars(ALNUM, 12) + "." + _chars(ALNUM, 20)


def visa_number(separator: str = "") -> str:
    digits = "4111111111111111"
    return separator.join(digits[i : i + 4] for i in range(0, 16, 4))


def amex_number() -> str:
    return "3782 822463 10005"


def mastercard_number() -> str:
    return "5555555555554444"
