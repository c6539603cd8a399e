"""Text helpers shared by search and imports."""

import re
import unicodedata

# Letters of the region's alphabets that Unicode does not decompose into a base letter.
_FOLD = str.maketrans({"đ": "dj", "Đ": "dj", "ł": "l", "ø": "o", "ß": "ss", "æ": "ae"})
_NOT_KEY = re.compile(r"[^a-z0-9]+")


def search_key(text: str) -> str:
    """Lower-case ASCII letters and digits only: 'Đorđević' and 'djordjevic' meet."""
    folded = unicodedata.normalize("NFKD", (text or "").translate(_FOLD))
    ascii_text = folded.encode("ascii", "ignore").decode().lower()
    return _NOT_KEY.sub("", ascii_text)
