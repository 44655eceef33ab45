"""Recognise values that are obviously not real credentials: placeholders, templates,
variable references, masked values and documentation examples.

Every secret rule runs its matched value through :func:`is_placeholder` unless the rule
sets ``placeholder_filter = false``. The filter must reject fillers without rejecting real
random tokens, so word lists are never applied as plain substrings of the whole value
(``"nil"`` or ``"true"`` occur inside random tokens). Instead:

* a short list of *markers* long and unusual enough to be matched anywhere
  (``example``, ``changeme``, ``****``, ``...``) and masks (``xxxx-xxxx``);
* whole-value forms: templates and variable references (``${VAR}``, ``{{ x }}``,
  ``<password>``, ``%(x)s``, ``$VAR``, ``process.env.X``, ``self.password``…), exact
  filler words (``password``, ``null``, ``123456``…), values dominated by one character
  and runs of the alphabet or the keyboard;
* *filler coverage*: the value is cut into word-ish segments (on punctuation, case changes
  and letter/digit boundaries); if filler words (``my``, ``secret``, ``password``,
  ``test``, ``here``…) cover most of it, the value is prose, not a credential
  (``my_secret_password``, ``TestPassword123``, ``your-api-key``).

Shape and word heuristics only apply to values of up to 256 characters: a private key
block is never a filler word, and statistics over thousands of random characters would
eventually find a "word" somewhere in it.
"""

from __future__ import annotations

import itertools
import re


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Markers matched anywhere in the lowercased value. Each is long or unusual enough that a
# random token practically never contains it (a 5-letter marker sits in a random 40-char
# base62 token with probability ~1e-6, in a 4 KB base64 key block ~1e-4).
_MARKERS = _words(
    """
    changeme change_me change-me changethis change_this placeholder example redacted
    dummy lorem ipsum your_ your- yourpass yourkey yoursecret yourtoken yourapi insert_
    insert- insertyour replace_ replace- replaceme replacewith notreal not_real not-real
    not-a-real notasecret not_a_secret not-a-secret secret_here password_here token_here
    key_here fakepass fake_ _fake -fake fake- **** ... \u2026 \u2022\u2022\u2022 sample
    fixme todo: <redacted [redacted [filtered [hidden [masked
    """
)

_MARKER = re.compile("|".join(re.escape(m) for m in _MARKERS))

# Masks: a run of x's standing alone ("xxxx-xxxx", "sk_live_xxxxxxxx") or a long run
# anywhere ("AKIAXXXXXXXXXXXXXXXX"). A bare "xxxx" inside base64 is too frequent to reject.
_MASK = re.compile(r"(?:^|[^a-z0-9])x{4,}(?:[^a-z0-9]|$)|x{8,}")

# Exact values (lowercased, quotes stripped): fillers, well-known defaults, doc values.
_EXACT = frozenset(
    _words(
        """
    password passwd pass pwd pw passphrase secret secrets token apikey api_key api-key
    key test testing tester admin administrator root user username default string value
    str text none null nil undefined true false yes no on off empty blank required
    optional hidden masked removed omitted unknown unset n/a na tbd todo xxx foo bar baz
    qux foobar demo guest changeit letmein qwerty hunter2 passw0rd p@ssw0rd p@ssword
    pa$$word secret123 password1 password12 password123 password1234 admin123 admin1234
    root123 test123 test1234 abc123 abcd1234 mysecret mypassword mypass supersecret
    s3cr3t s3cret secretkey secret_key secret-key topsecret welcome welcome1 iloveyou
    trustno1 sesame opensesame master access mysql postgres postgresql oracle redis mongo
    mongodb rabbitmq sa sysadmin system manager nopassword no_password nopass secure
    insecure invalid wrong incorrect random generated dev development prod production
    anonymous xyzzy plugh sflkxwrjsmekkf2qt4fwpmejf36pok6yjv_adqssw5c
    sk_test_4ec39hqlyjwdarjtt1zdp7dc
    """
    )
)

# Filler words for the coverage test: a value made (mostly) of these is prose.
_FILLERS = frozenset(
    _words(
        """
    password passwd pass pwd pw passphrase secret secrets token tokens key keys api apikey
    access auth authentication credential credentials cred creds private public client
    app application service account user username login admin root db database my your
    our the here there this that is to be goes put insert enter replace with new old some
    any value val string str text default test tests testing example sample dummy fake
    mock stub placeholder changeme change foo bar baz qux quux foobar demo none null nil
    undefined true false empty todo tbd fixme dev local prod staging super very strong
    secure real not hidden masked redacted config env var variable from for and hello
    world qwerty asdf zxcv letmein xxx name guest welcome top session bearer basic jwt oauth
    sign signing encryption encrypt hash salt tmp temp temporary invalid wrong missing
    unknown required optional generated random please provide own actual valid
    """
    )
)

# Whole-value templates and references.
_TEMPLATE = re.compile(
    r"""^(?:
        \$\{[^}]*\}?                      # ${VAR}, ${VAR:-default}
      | \$\([^)]*\)?                      # $(cmd), $(VAR)
      | \$(?:[A-Z_][A-Z0-9_]*|[a-z_][a-z0-9_]*|[a-z_][a-zA-Z_]*)  # $VAR, $var, $camelCase
      | \$env:[A-Za-z_]\w*                # PowerShell $env:VAR
      | \{\{.*\}\}                        # {{ template }}
      | \{%.*%\}                          # {% jinja %}
      | <%.*%>                            # <%= erb %>
      | \{[A-Za-z_][A-Za-z0-9_.:-]*\}     # {name}, {env:NAME}
      | %\([^)]*\)[sdr]                   # %(name)s
      | %[A-Za-z_][A-Za-z0-9_]*%          # %VAR%
      | %\{[^}]*\}                        # %{macro}
      | \#\{[^}]*\}                       # #{ruby} / #{spring}
      | @[A-Za-z_][A-Za-z0-9_.-]*@        # @maven.property@
      | __[A-Za-z][A-Za-z0-9_]*__         # __TOKEN__
      | <[^<>]*>                          # <password>
      | \[[A-Za-z_ -]+\]                  # [password]
      | (?:process\.env|import\.meta\.env)(?:\.\w+|\[[^]]*\])   # JS env access
      | os\.(?:environ|getenv)\b.*        # Python env access
      | (?:System\.getenv|Environment\.GetEnvironmentVariable|getenv|env|ENV\.fetch)\s*\(.*
      | ENV\[.*\]
      | (?:secrets|vars|env|inputs|steps|needs|matrix)\.[A-Za-z_][\w.-]*   # CI contexts
      | (?:self|this|cls|config|cfg|conf|settings|args|opts|options|params|props
         |properties|request|req|ctx|context|app|vault|credentials|creds|var|local
         |data|module|each|values|Values|ENV|System|Settings|Config)
        (?:\.[A-Za-z_]\w*|\[[^]]{1,40}\]|\(\))+       # self.password, config["pw"], var.pw
      | [A-Za-z_][\w.]*\([^()]*\)         # get_password(), vault.read("x")
    )$""",
    re.VERBOSE | re.DOTALL,
)
# Interpolations anywhere make the value a template, not a literal.
_INTERPOLATION = re.compile(r"\$\{|\{\{|\{%|<%|#\{[A-Za-z_]")
# An angle-bracketed word anywhere: "<password>", "sk-<your key>", "Bearer <TOKEN>".
_ANGLE_WORD = re.compile(r"<[A-Za-z][A-Za-z0-9 _.-]{1,40}>")
# Word-ish segments: ALLCAPS runs, Capitalised or lowercase words, digit runs.
_SEGMENTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_KEYBOARD = ("qwertyuiop", "asdfghjkl", "zxcvbnm", "1qaz2wsx3edc", "qazwsxedc")
_SHORT = 256


def _sequential(alnum: str) -> bool:
    """Made of at most two ascending or descending runs ('abcdef', 'abc123', '98765')."""
    if len(alnum) < 6:
        return False
    runs = 1
    run_len = 1
    step = 0
    for prev, cur in itertools.pairwise(alnum):
        delta = ord(cur) - ord(prev)
        if delta in (1, -1) and step in (0, delta):
            step = delta
            run_len += 1
            continue
        if run_len < 3:
            return False
        runs += 1
        run_len = 1
        step = 0
    return run_len >= 3 and runs <= 2


def _filler_coverage(text: str) -> bool:
    """Whether filler words cover most of the value's letters, with at most a short number
    beside them ('TestPassword123', 'admin1234', 'my-secret-key'), while hex or random
    tokens that happen to contain a short filler ('db', 'abc') are kept."""
    letters = filler = digits = 0
    for seg in _SEGMENTS.findall(text):
        if seg.isdigit():
            digits += len(seg)
            continue
        letters += len(seg)
        if seg.lower() in _FILLERS:
            filler += len(seg)
    return letters >= 5 and filler >= 0.7 * letters and digits <= max(4, letters // 2)


def _dominated(text: str) -> bool:
    """One character makes up most of the value ('xxxxxxx1', '0000-0000-0000')."""
    if len(text) < 4:
        return False
    lowered = text.lower()
    distinct = set(lowered)
    if len(distinct) - 1 > 0.4 * len(text):  # then no character can reach 60 %
        return False
    return max(map(lowered.count, distinct)) >= 0.6 * len(text)


def _short_filler(text: str) -> bool:
    """The shape and word tests for values of up to ``_SHORT`` characters."""
    if _TEMPLATE.match(text) or _ANGLE_WORD.search(text) or _dominated(text):
        return True
    alnum = "".join(filter(str.isalnum, text.lower()))
    if _sequential(alnum) or (len(alnum) >= 6 and any(alnum in k for k in _KEYBOARD)):
        return True
    # Word lists apply to word-ish segments only, never as substrings of a random token.
    return _filler_coverage(text)


def is_placeholder(value: str) -> bool:
    """True for values that are templates, variable references or documentation fillers."""
    text = value.strip().strip("'\"`").strip()
    if not text:
        return True
    lowered = text.lower()
    if (
        lowered in _EXACT
        or _MARKER.search(lowered)
        or _MASK.search(lowered)
        or _INTERPOLATION.search(text)
    ):
        return True
    return len(text) <= _SHORT and _short_filler(text)
