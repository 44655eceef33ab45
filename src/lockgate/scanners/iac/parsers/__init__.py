"""One parser per format; each turns a file into :class:`~lockgate.scanners.iac.resources.Resource`
objects of plain data with exact source lines (the check engine never sees file formats)."""
