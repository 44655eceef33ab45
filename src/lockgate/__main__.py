"""Allow ``python -m lockgate``."""

from lockgate.cli.main import main

raise SystemExit(main())
