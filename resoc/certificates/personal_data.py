"""The personal data of certificates, for retention and the right of access (see resoc.ops).

The holder's name is blanked when their identity is due; a certificate keeps it for the years
of retention after its issue. The course, hours and dates say nothing of the person.
"""

from resoc.certificates.models import Certificate
from resoc.ops.retention import register

register(
    Certificate, person_path="enrollment__person", fields=["holder_name"], activity=["issued_on"]
)
