"""What may be uploaded: photos as JPEG or PNG, documents as PDF (status documents: any of them).

The type is read from the file's first bytes, not from its name or the browser's word."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from resoc.equipment.models import EquipmentFile

MAX_BYTES = 10 * 1024 * 1024
_SIGNATURES = {
    "pdf": (b"%PDF-",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
}
PHOTO_TYPES = ("jpeg", "png")
DOCUMENT_TYPES = ("pdf",)
STATUS_DOCUMENT_TYPES = ("pdf", "jpeg", "png")


def _sniff(upload) -> str | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    for name, signatures in _SIGNATURES.items():
        if any(head.startswith(s) for s in signatures):
            return name
    return None


def types_for_kind(kind: str) -> tuple[str, ...]:
    return PHOTO_TYPES if kind == EquipmentFile.Kind.PHOTO else DOCUMENT_TYPES


def check_upload(upload, allowed: tuple[str, ...]) -> None:
    """Raise ValidationError unless the file is one of the `allowed` types and small enough."""
    if upload.size > MAX_BYTES:
        raise ValidationError(
            _("The file is larger than %(mb)s MB.") % {"mb": MAX_BYTES // (1024 * 1024)}
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."))
    if _sniff(upload) not in allowed:
        names = {"pdf": "PDF", "jpeg": "JPEG", "png": "PNG"}
        raise ValidationError(
            _("Upload a file of type: %(types)s.") % {"types": ", ".join(names[t] for t in allowed)}
        )
