"""The one exception type of the simulator's model: an APIC error reply.

Every failure a client can provoke (bad class, bad DN, bad filter, a create of an existing object...)
surfaces as :class:`ApiError`, carrying the HTTP status, the APIC error code and the text, so the HTTP
layer can answer with the exact envelope a real APIC sends without knowing where the error came from.
"""

from __future__ import annotations


class ApiError(Exception):
    """An APIC error reply: HTTP ``status`` plus the ``code``/``text`` pair of the ``error`` MO.

    ``code`` is kept as a string because that is how it travels (``"code": "122"``); the message never
    carries secrets because every text is built from class names, DNs and option values only.
    """

    status: int
    code: str
    text: str

    def __init__(self, status: int, code: int | str, text: str) -> None:
        super().__init__(f"APIC error {code} (HTTP {status}): {text}")
        self.status = int(status)
        self.code = str(code)
        self.text = text

    def envelope(self) -> dict:
        """The JSON body a real APIC answers with: one ``error`` MO in ``imdata``, all values strings."""
        return {
            "totalCount": "1",
            "imdata": [{"error": {"attributes": {"code": self.code, "text": self.text}}}],
        }


def bad_request(text: str, code: int | str = 400) -> ApiError:
    """A 400 reply; most model errors are 400 with an APIC code that says which check failed."""
    return ApiError(400, code, text)


def not_found(dn: str) -> ApiError:
    """APIC code 102, worded as a real APIC words it: the object (or the parent a create needs) is missing."""
    return ApiError(400, 102, f"configured object ((Dn0)) not found Dn0={dn}, ")


def unknown_class(cls: str) -> ApiError:
    """APIC code 122: a body names a class the catalogue does not know."""
    return ApiError(400, 122, f"unknown managed object class {cls}")


def already_exists(cls: str, dn: str) -> ApiError:
    """APIC code 103: `status: created` (or a system create) for an object that is already there."""
    return ApiError(400, 103, f"Cannot create {cls} {dn}; object already exists")
