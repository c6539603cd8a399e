"""The personal data of certificates, for retention and the right of access (see resoc.ops).

The holder's name, and the reason a certificate was revoked (which may say what they did), are
blanked when their identity is due; a certificate keeps them for the years of retention after its
issue or revocation. The number, course, hours and dates say nothing of the person and stay, as
does the revocation itself (a revoked certificate must still verify as revoked).
"""

from resoc.certificates.models import Certificate
from resoc.ops.retention import register

register(
    Certificate,
    person_path="enrollment__person",
    fields=["holder_name", "revocation_reason"],
    activity=["issued_on", "revoked_on"],
)
