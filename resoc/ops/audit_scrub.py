"""Finding the audit entries whose readable detail names people about to be pseudonymised.

An entry names a person when its detail holds the person's reference (e.g. the list of
references a search showed), their given and family name together (e.g. the changes of their
record), or is a search whose words would have found them by family name. The chain covers only
a detail's digest, so blanking these details leaves the trail verifiable.
"""

import bisect
import re
from dataclasses import dataclass

from resoc.audit.models import AuditEntry
from resoc.core.text import search_key

# Letters and digits: "Zoran_Vukasinovic_plan.pdf" (an uploaded file's name) is three words.
_WORD = re.compile(r"[^\W_]+")
_SEPARATORS = re.compile(r"[\s,;]+")
# A search word this long that begins a family name names the person; shorter ones do not.
MIN_NAME_PREFIX = 3


@dataclass(frozen=True)
class Identity:
    ref: str
    given_name: str
    family_name: str


def _words(text: str) -> list[str]:
    return [key for key in (search_key(w) for w in _WORD.findall(text)) if key]


def _phrase(text: str) -> str:
    return " ".join(_words(text))


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield str(key)
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


class Finder:
    def __init__(self, identities: list[Identity]):
        self.refs = {i.ref.strip().upper() for i in identities if i.ref.strip()}
        self.names = {}  # first word of the family name -> [(given phrase, family phrase)]
        self.family_keys = []  # sorted (family key, given key) for searches by prefix
        for identity in identities:
            family, given = _phrase(identity.family_name), _phrase(identity.given_name)
            if family:
                self.names.setdefault(family.split()[0], []).append((given, family))
                self.family_keys.append((search_key(identity.family_name), search_key(given)))
        self.family_keys.sort()

    def mentions(self, detail) -> bool:
        strings = list(_strings(detail))
        for text in strings:
            upper = text.strip().upper()
            if upper in self.refs or any(w in self.refs for w in _SEPARATORS.split(upper)):
                return True
        words = [w for text in strings for w in _words(text)]
        folded = f" {' '.join(words)} "
        for word in set(words) & self.names.keys():
            for given, family in self.names[word]:
                if f" {family} " in folded and (not given or f" {given} " in folded):
                    return True
        query = detail.get("query") if isinstance(detail, dict) else None
        return isinstance(query, str) and self._search_finds_someone(_words(query))

    def _search_finds_someone(self, words: list[str]) -> bool:
        for lead in (w for w in words if len(w) >= MIN_NAME_PREFIX):
            start = bisect.bisect_left(self.family_keys, (lead, ""))
            for family, given in self.family_keys[start:]:
                if not family.startswith(lead):
                    break
                if all(family.startswith(w) or given.startswith(w) for w in words):
                    return True
        return False


def entries_naming(identities: list[Identity], *, after_id: int = 0, batch_size: int = 2000):
    """(ids of the unredacted entries past `after_id` that name one of them, the last id read)."""
    finder = Finder(identities)
    found, last_id = [], after_id
    if not identities:
        return found, last_id
    while True:
        batch = list(
            AuditEntry.objects.filter(id__gt=last_id, redacted=False, detail__isnull=False)
            .order_by("id")
            .values_list("id", "detail")[:batch_size]
        )
        if not batch:
            return found, last_id
        found.extend(pk for pk, detail in batch if finder.mentions(detail))
        last_id = batch[-1][0]
