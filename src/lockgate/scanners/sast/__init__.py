"""Static analysis (SAST): semgrep running lockgate's own rule pack (``rules/``) over
Python, JavaScript/TypeScript, Java and Go, bandit over Python alongside it, and one
finding per weakness and place when both report it."""
