"""Secrets from other tools' reports: redacted on the way in, identified by a keyed hash.

Gitleaks and TruffleHog put the raw credential in their reports (``Secret``, ``Match``,
``Line``, ``Raw``, ``RawV2``). An imported finding never keeps it: the snippet shows at most
the first four characters of a long value followed by ``…``, and the identity is
:func:`~lockgate.model.fingerprint.secret_fingerprint` over the rule family and the keyed
:func:`~lockgate.model.fingerprint.secret_value_hash` of the value, exactly as lockgate's own
secrets control computes it, so the same key found by both is the same finding.

The rule family is looked up in the families of lockgate's own secret rules
(``aws-access-token`` -> ``aws``, TruffleHog's ``PrivateKey`` -> ``private-key``); an
unknown rule is its own family.
"""

from __future__ import annotations

import re

from lockgate.model.fingerprint import secret_fingerprint, secret_value_hash

ELLIPSIS = "…"
VISIBLE_PREFIX = 4
MIN_LENGTH_FOR_PREFIX = 20
SNIPPET_CHARS = 160

#: The families of lockgate's own secret rules (scanners/secrets/rules/*.toml), kept here
#: because importers must not depend on a scanner; a family missing here only means an
#: imported finding and lockgate's own one for the same value do not merge.
_FAMILY_NAMES = """
    1password adyen airtable algolia alibaba amplitude anaconda anthropic anyscale asana
    assemblyai atlassian auth0 aws azure azure-devops bitbucket bitrise box brevo buildkite
    cerebras circleci clickup clojars cloudflare cloudsmith codacy codecov cohere coinbase
    composer conan contentful coveralls crates-io credential-file databricks datadog
    deepgram deepseek digitalocean discord docker doppler drone dropbox duffel dynatrace
    easypost elevenlabs facebook figma fireworks flutterwave flyio frameio framework-secret
    freshdesk gcp generic-password generic-secret gitea github gitlab go gocardless gradle
    grafana groq harness hashicorp helm heroku hetzner hex honeycomb hubspot huggingface
    iac-secret ibm infracost intercom jenkins jfrog jwt kubernetes langfuse langsmith
    launchdarkly linear linkedin linode llamaindex lob mailchimp mailgun mapbox maven
    microsoft-teams mistral mixpanel mollie monday netlify new-relic notion npm nuget nvidia
    octopus okta openai openrouter oracle ovh packagist pagerduty password password-hash
    paypal perplexity pinecone pipedrive plaid planetscale postman postmark prefect
    private-key pulumi pypi razorpay readme render replicate resend rollbar rubygems
    salesforce scaleway segment sendgrid sentry shippo shopify slack snyk sonar sourcegraph
    sparkpost splunk square stability stripe supabase tavily teamcity telegram tencent
    terraform together travis trello twilio twitch twitter typeform uri-credentials vercel
    voyage vultr wandb xai yandex zapier zendesk zoom
"""
FAMILIES = frozenset(_FAMILY_NAMES.split())
_COMPACT = {family.replace("-", ""): family for family in FAMILIES}

#: First words other tools use for a family lockgate names differently.
ALIASES = {
    "generic": "generic-secret",
    "google": "gcp",
    "gcloud": "gcp",
    "uri": "uri-credentials",
    "url": "uri-credentials",
    "jdbc": "uri-credentials",
    "postgres": "uri-credentials",
    "mongodb": "uri-credentials",
    "redis": "uri-credentials",
    "ftp": "uri-credentials",
    "ldap": "uri-credentials",
    "rsa": "private-key",
    "ssh": "private-key",
    "pkcs8": "private-key",
    "pgp": "private-key",
    "msteams": "microsoft-teams",
    "newrelic": "new-relic",
    "vault": "hashicorp",
    "artifactory": "jfrog",
    "dockerhub": "docker",
    "hf": "huggingface",
}

_SPLIT = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")


def _words(rule: str) -> list[str]:
    words: list[str] = []
    for piece in re.split(r"[^A-Za-z0-9]+", rule):
        words.extend(w.lower() for w in _SPLIT.findall(piece))
    return words


def secret_family(rule: str) -> str:
    """The lockgate secret family a rule of another tool belongs to (see the module doc)."""
    words = _words(rule)
    for count in range(len(words), 0, -1):
        dashed = "-".join(words[:count])
        if dashed in FAMILIES:
            return dashed
        compact = "".join(words[:count])
        if compact in _COMPACT:
            return _COMPACT[compact]
    if words and words[0] in ALIASES:
        return ALIASES[words[0]]
    return "-".join(words) or "secret"


def redact_value(value: str) -> str:
    """A secret shown as its first four characters (long values only) and ``…``."""
    first_line = value.split("\n", 1)[0]
    if len(value) >= MIN_LENGTH_FOR_PREFIX and len(first_line) >= VISIBLE_PREFIX:
        return first_line[:VISIBLE_PREFIX] + ELLIPSIS
    return ELLIPSIS


def redact_snippet(text: str, values: list[str]) -> str:
    """The first line of ``text`` with every secret value (and each value's first line) in
    it redacted, cut to a readable length."""
    line = text.replace("\r", "").split("\n", 1)[0]
    for value in sorted({v for v in values if v}, key=len, reverse=True):
        for form in dict.fromkeys((value, value.split("\n", 1)[0].rstrip("\r"))):
            if len(form) >= 2:
                line = line.replace(form, redact_value(value))
    line = line.strip()
    if len(line) > SNIPPET_CHARS:
        line = line[:SNIPPET_CHARS] + ELLIPSIS
    return line


def secret_identity(*, rule_family: str, value: str, path: str, key: bytes) -> tuple[str, str]:
    """``(fingerprint, value_hash)`` of a secret value found at ``path``."""
    value_hash = secret_value_hash(value, key)
    return secret_fingerprint(rule_family=rule_family, value_hash=value_hash, path=path), value_hash
