"""Settings of the demo shop. Planted problem: credentials committed in code."""

import os

DEBUG = os.environ.get("SHOP_DEBUG") == "1"

# Planted: an AWS access key pair written straight into the settings module.
AWS_ACCESS_KEY_ID = "AKIAB3SKCZTKMBF6JDPY"
AWS_SECRET_ACCESS_KEY = "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"

# Fine: read from the environment.
SESSION_SECRET = os.environ["SHOP_SESSION_SECRET"]
