import os

# positive: AWS key pair in code
AWS_ACCESS_KEY_ID = "AKIA2IBYYURL7B6KJ6HB"
AWS_SECRET_ACCESS_KEY = "qsxRpvED5hJRaOvRTYZPNvS/I4k9GvvK9JkmW378"

# negatives: read from the environment, placeholders
DB_PASSWORD = os.environ["DB_PASSWORD"]
API_TOKEN = os.getenv("API_TOKEN")
SMTP_PASSWORD = "changeme"
