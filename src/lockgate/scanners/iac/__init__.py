"""Infrastructure as code and CI configuration: parsers to plain data, checks in CEL."""
