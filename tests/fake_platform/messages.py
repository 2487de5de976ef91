"""The fake platform's failure messages in the page's language (``Platform.messages``)."""
import re

from flask_babel import lazy_gettext as _l

PATTERNS = [
    (re.compile(r"The fake store refused order (?P<order>\S+)"), _l("The fake store refused order {order}.")),
]
