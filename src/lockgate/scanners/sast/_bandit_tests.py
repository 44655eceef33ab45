"""Documentation of bandit's tests (as of bandit 1.9), for ``lockgate explain bandit/B608``
and for cross-tool dedup: each test's CWE as bandit reports it, and the weakness class it
really detects where bandit's own CWE is broader or off (``eval`` is not OS command
injection; ``yaml.load`` is unsafe deserialisation, not just input validation)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True)
class BanditTest:
    """One bandit test: id, name, what it flags, bandit's CWE, and the fix."""

    id: str
    name: str
    title: str
    cwe: str
    remediation: str = ""
    detects: tuple[str, ...] = ()
    """The CWEs of what the test detects, when they differ from bandit's own."""


def _t(
    test_id: str, name: str, title: str, cwe: int, remediation: str = "", *detects: int
) -> BanditTest:
    return BanditTest(
        id=test_id,
        name=name,
        title=title,
        cwe=f"CWE-{cwe}",
        remediation=remediation,
        detects=tuple(f"CWE-{c}" for c in detects),
    )


_SHELL_FIX = (
    "Pass the program and its arguments as a list without shell=True; quote any value "
    "that must reach a shell with shlex.quote."
)
_XML_FIX = "Parse untrusted XML with defusedxml (defusedxml.ElementTree and friends)."
_CRYPTO_FIX = "Use a modern primitive: SHA-256 or better for integrity, AES-GCM for encryption."
_TLS_FIX = "Use ssl.create_default_context() and TLS 1.2 or later; never disable verification."
_CLEARTEXT_FIX = "Use an encrypted protocol (SSH/SFTP, HTTPS) instead."

TESTS: dict[str, BanditTest] = {
    t.id: t
    for t in (
        _t("B101", "assert_used", "Use of assert", 703,
           "Raise an exception for checks that must hold in production; asserts are removed "
           "under python -O."),
        _t("B102", "exec_used", "Use of exec", 78,
           "Do not execute code built from data; dispatch through a fixed table of "
           "functions instead.", 94, 95),
        _t("B103", "set_bad_file_permissions", "Permissive file permissions", 732,
           "Grant the owner only what it needs (0o600 or 0o640 for files)."),
        _t("B104", "hardcoded_bind_all_interfaces", "Binding to all interfaces", 605,
           "Bind to a specific interface (127.0.0.1 for local services) or make it "
           "configurable."),
        _t("B105", "hardcoded_password_string", "Hard-coded password string", 259,
           "Read credentials from the environment or a secret manager at run time.", 798),
        _t("B106", "hardcoded_password_funcarg", "Hard-coded password argument", 259,
           "Read credentials from the environment or a secret manager at run time.", 798),
        _t("B107", "hardcoded_password_default", "Hard-coded password default", 259,
           "Read credentials from the environment or a secret manager at run time.", 798),
        _t("B108", "hardcoded_tmp_directory", "Hard-coded temporary directory", 377,
           "Create temporary files with the tempfile module (mkstemp, TemporaryDirectory)."),
        _t("B110", "try_except_pass", "try/except/pass", 703,
           "Handle or log the exception; catch only the exceptions you expect."),
        _t("B112", "try_except_continue", "try/except/continue", 703,
           "Handle or log the exception; catch only the exceptions you expect."),
        _t("B113", "request_without_timeout", "HTTP request without a timeout", 400,
           "Pass timeout= to every requests/httpx call."),
        _t("B201", "flask_debug_true", "Flask app run with debug=True", 94,
           "Never enable the Werkzeug debugger outside development; read debug from "
           "configuration.", 489, 215),
        _t("B202", "tarfile_unsafe_members", "tarfile extractall without member filtering",
           22, "Pass filter='data' (Python 3.12+) or validate each member's path."),
        _t("B301", "pickle", "Deserialisation with pickle", 502,
           "Never unpickle untrusted data; use JSON or another data-only format."),
        _t("B302", "marshal", "Deserialisation with marshal", 502,
           "Never unmarshal untrusted data; use JSON or another data-only format."),
        _t("B303", "md5", "Insecure hash function (MD5/SHA1)", 327, _CRYPTO_FIX, 328),
        _t("B304", "ciphers", "Insecure cipher", 327, _CRYPTO_FIX),
        _t("B305", "cipher_modes", "Insecure cipher mode", 327, _CRYPTO_FIX),
        _t("B306", "mktemp_q", "Use of tempfile.mktemp", 377,
           "Use tempfile.mkstemp or NamedTemporaryFile."),
        _t("B307", "eval", "Use of eval", 78,
           "Use ast.literal_eval for literals; never evaluate data as code.", 94, 95),
        _t("B308", "mark_safe", "Use of mark_safe", 79,
           "Escape user data (django.utils.html.format_html) instead of marking it safe."),
        _t("B310", "urllib_urlopen", "urllib.urlopen with an unchecked scheme", 22,
           "Allow only http(s) URLs, validated against an allow-list of hosts.", 918, 73),
        _t("B311", "random", "Pseudo-random generator used", 330,
           "Use the secrets module for tokens, passwords and keys.", 338),
        _t("B312", "telnetlib", "Use of telnetlib", 319, _CLEARTEXT_FIX),
        _t("B313", "xml_bad_cElementTree", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B314", "xml_bad_ElementTree", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B315", "xml_bad_expatreader", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B316", "xml_bad_expatbuilder", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B317", "xml_bad_sax", "XML parsing vulnerable to XXE", 20, _XML_FIX, 611, 776),
        _t("B318", "xml_bad_minidom", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B319", "xml_bad_pulldom", "XML parsing vulnerable to XXE", 20, _XML_FIX,
           611, 776),
        _t("B321", "ftplib", "Use of FTP", 319, _CLEARTEXT_FIX),
        _t("B323", "unverified_context", "Unverified SSL context", 295, _TLS_FIX),
        _t("B324", "hashlib_insecure_functions", "Insecure hash function", 327,
           "Use SHA-256 or better; for passwords use a KDF (hashlib.scrypt, argon2); pass "
           "usedforsecurity=False where the hash is not a security control.", 328, 916),
        _t("B401", "import_telnetlib", "Import of telnetlib", 319, _CLEARTEXT_FIX),
        _t("B402", "import_ftplib", "Import of ftplib", 319, _CLEARTEXT_FIX),
        _t("B403", "import_pickle", "Import of pickle", 502,
           "Make sure no untrusted data is ever unpickled."),
        _t("B404", "import_subprocess", "Import of subprocess", 78,
           "Make sure no command is built from untrusted data."),
        _t("B405", "import_xml_etree", "Import of xml.etree", 20, _XML_FIX, 611),
        _t("B406", "import_xml_sax", "Import of xml.sax", 20, _XML_FIX, 611),
        _t("B407", "import_xml_expat", "Import of xml.dom.expatbuilder", 20, _XML_FIX, 611),
        _t("B408", "import_xml_minidom", "Import of xml.dom.minidom", 20, _XML_FIX, 611),
        _t("B409", "import_xml_pulldom", "Import of xml.dom.pulldom", 20, _XML_FIX, 611),
        _t("B411", "import_xmlrpclib", "Import of xmlrpc", 20,
           "Use defusedxml.xmlrpc.monkey_patch() before using xmlrpc.", 611),
        _t("B412", "import_httpoxy", "CGI handler vulnerable to httpoxy", 284,
           "Do not use wsgiref.handlers.CGIHandler or twisted's CGIScript."),
        _t("B413", "import_pycrypto", "Import of the unmaintained pycrypto", 327,
           "Use the cryptography package."),
        _t("B415", "import_pyghmi", "Import of pyghmi (IPMI)", 319, _CLEARTEXT_FIX),
        _t("B501", "request_with_no_cert_validation", "TLS certificate verification disabled",
           295, "Remove verify=False; point verify= at a CA bundle for private CAs."),
        _t("B502", "ssl_with_bad_version", "Insecure SSL/TLS protocol version", 327, _TLS_FIX,
           326, 757),
        _t("B503", "ssl_with_bad_defaults", "Insecure SSL/TLS default version", 327, _TLS_FIX,
           326, 757),
        _t("B504", "ssl_with_no_version", "SSL/TLS without an explicit version", 327, _TLS_FIX,
           326, 757),
        _t("B505", "weak_cryptographic_key", "Weak cryptographic key size", 326,
           "Use RSA/DSA keys of at least 2048 bits and EC keys of at least 224 bits."),
        _t("B506", "yaml_load", "yaml.load with an unsafe loader", 20,
           "Use yaml.safe_load or Loader=yaml.SafeLoader.", 502),
        _t("B507", "ssh_no_host_key_verification", "SSH host key verification disabled", 295,
           "Use RejectPolicy and a known_hosts file instead of AutoAddPolicy."),
        _t("B508", "snmp_insecure_version", "Insecure SNMP version", 319,
           "Use SNMPv3 with authentication and privacy."),
        _t("B509", "snmp_weak_cryptography", "Weak SNMP cryptography", 319,
           "Use SNMPv3 with authPriv."),
        _t("B601", "paramiko_calls", "Shell command through paramiko", 78, _SHELL_FIX),
        _t("B602", "subprocess_popen_with_shell_equals_true", "subprocess call with shell=True",
           78, _SHELL_FIX),
        _t("B603", "subprocess_without_shell_equals_true", "subprocess call without a shell",
           78, "Make sure the program and its arguments are not built from untrusted data."),
        _t("B604", "any_other_function_with_shell_equals_true", "Function call with shell=True",
           78, _SHELL_FIX),
        _t("B605", "start_process_with_a_shell", "Process started with a shell", 78,
           _SHELL_FIX),
        _t("B606", "start_process_with_no_shell", "Process started without a shell", 78,
           "Make sure the program and its arguments are not built from untrusted data."),
        _t("B607", "start_process_with_partial_path", "Process started with a partial path",
           78, "Use the absolute path of the executable."),
        _t("B608", "hardcoded_sql_expressions", "SQL built from strings", 89,
           "Use parameterised queries (cursor.execute(sql, params)) or the ORM's bound "
           "parameters."),
        _t("B609", "linux_commands_wildcard_injection", "Wildcard in a shell command", 155,
           _SHELL_FIX),
        _t("B610", "django_extra_used", "Django QuerySet.extra", 89,
           "Use the ORM's query expressions or params=[…] instead of string SQL."),
        _t("B611", "django_rawsql_used", "Django RawSQL", 89,
           "Pass values through RawSQL's params argument, never into the SQL string."),
        _t("B612", "logging_config_insecure_listen", "logging.config.listen", 94,
           "Pass verify= to logging.config.listen or do not use it."),
        _t("B613", "trojansource", "Bidirectional control characters (Trojan Source)", 838,
           "Remove the bidirectional control characters from the source."),
        _t("B614", "pytorch_load", "torch.load of untrusted data", 502,
           "Pass weights_only=True or use safetensors."),
        _t("B615", "huggingface_unsafe_download", "Hugging Face download without a pinned "
           "revision", 494, "Pin revision= to a commit hash."),
        _t("B701", "jinja2_autoescape_false", "Jinja2 autoescaping disabled", 94,
           "Create the Environment with autoescape=select_autoescape().", 79, 116),
        _t("B702", "use_of_mako_templates", "Mako templates (no autoescaping)", 80,
           "Use default_filters=['h'] or a template engine that escapes by default.", 79),
        _t("B703", "django_mark_safe", "Django mark_safe", 80,
           "Build HTML with format_html, which escapes its arguments.", 79),
        _t("B704", "markupsafe_markup_xss", "markupsafe.Markup of non-literal data", 79,
           "Escape the value (markupsafe.escape) instead of wrapping it in Markup."),
    )
}  # fmt: skip


def documentation_url(test: BanditTest) -> str:
    """The page of bandit's documentation that describes ``test``."""
    base = "https://bandit.readthedocs.io/en/latest"
    if test.id.startswith("B3"):
        return f"{base}/blacklists/blacklist_calls.html"
    if test.id.startswith("B4"):
        return f"{base}/blacklists/blacklist_imports.html"
    return f"{base}/plugins/{test.id.lower()}_{test.name}.html"


def describe(test_id: str) -> BanditTest | None:
    """The documentation of a bandit test, or None for a test this table does not know."""
    return TESTS.get(test_id.upper())
