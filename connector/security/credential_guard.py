"""Recognise credentials a seller must never paste into a third-party app, and explain why."""
from __future__ import annotations

import re

from ..i18n.labels import N_

AWS_ACCESS_KEY_ID = re.compile(r"\b(AKIA|ASIA|AGPA|AIDA|AROA|AIPA|ANPA|ANVA|APKA)[A-Z0-9]{16}\b")
# A secret access key is 40 characters of base64 alphabet; the look-arounds stop it matching inside longer tokens.
AWS_SECRET_ACCESS_KEY = re.compile(r"(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])")
MWS_AUTH_TOKEN = re.compile(r"amzn\.mws\.[0-9a-f-]{8,}", re.IGNORECASE)

AWS_KEY_EXPLANATION = N_(
    "This looks like an AWS access key. Never give your AWS access key ID or secret access key to a third party: "
    "they open your whole AWS account, and Amazon SP-API does not need them. Authorize this app with the "
    "Request / Renew Token button instead. Nothing you entered was saved. If you shared these keys anywhere, "
    "deactivate them in the AWS IAM console."
)
MWS_EXPLANATION = N_(
    "This is an MWS auth token. Amazon retired MWS in 2024 and these tokens no longer work. "
    "Use the Request / Renew Token button to authorize this app through Seller Central. Nothing you entered was saved."
)


def forbidden_credential(*values: str | None) -> str | None:
    """The explanation to show if any value looks like AWS keys or an MWS token, else None."""
    for value in values:
        if not value:
            continue
        if MWS_AUTH_TOKEN.search(value):
            return MWS_EXPLANATION
        if AWS_ACCESS_KEY_ID.search(value) or _looks_like_aws_secret(value):
            return AWS_KEY_EXPLANATION
    return None


def _looks_like_aws_secret(value: str) -> bool:
    # LWA refresh tokens start with "Atzr|" and are much longer, so only a bare 40-character value counts.
    stripped = value.strip()
    return bool(AWS_SECRET_ACCESS_KEY.fullmatch(stripped)) and any(c.isdigit() for c in stripped)
