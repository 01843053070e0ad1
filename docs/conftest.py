"""Every Python example on the site's pages is a test.

Sybil collects ```python fences (a block with `>>>` prompts is a doctest whose
output is compared; a block without is run) and {doctest} directives from every
page under docs/, in page order, one namespace per page. A failure names the
page and the line.
"""

from doctest import ELLIPSIS, NORMALIZE_WHITESPACE

from sybil import Sybil
from sybil.parsers.myst import DocTestDirectiveParser, PythonCodeBlockParser, SkipParser

# No NUMBER flag: the page must show exactly what the code prints, digit for digit,
# because that is what a reader who pastes the example will see.
FLAGS = ELLIPSIS | NORMALIZE_WHITESPACE

pytest_collect_file = Sybil(
    parsers=[
        PythonCodeBlockParser(doctest_optionflags=FLAGS),
        DocTestDirectiveParser(optionflags=FLAGS),
        SkipParser(),
    ],
    patterns=["*.md"],
    excludes=["_build/*"],
).pytest()
