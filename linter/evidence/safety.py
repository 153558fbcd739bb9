"""The fix-safety contract, as one pure function over plain facts.

A fix is **safe** only with positive evidence that it keeps the same result:

1. the request has a rewrite (a list, ``/v2/images/detail``, a DELETE; not a HEAD, a download,
   a create, the compute proxy, or a path relative to an endpoint imslint cannot see);
2. the code is a client request (not a test double, a compared value or a constant), and no test
   double serving the same endpoint is left behind;
3. the HTTP method is known and is the one the rewrite assumes (a wrapper's name alone is not
   enough for a safe fix);
4. the service is the image service by evidence, not by names (a bare ``/v1/images`` with none
   gets no fix);
5. the request was followed to the client call that sends it;
6. every filter translates exactly;
7. every reader of the answer is followed and covered by the rewrite;
8. a list read once is rewritten together with a page loop proven to give every image;
9. the URL is not shared with a use the fix leaves alone (closures included).

Anything that falls short on 5-8 makes the fix **unsafe** (only with ``--unsafe-fixes``) with the
reason; anything that fails 1-4 or 9 (or an untranslatable filter, a blocking reader, a list with
no loop that fits) means **no fix**, with the reason.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import List, Optional

from .record import CLIENT, IMAGE_SERVICES, MEDIUM, STRONG, Fact

SAFE, UNSAFE, NONE = "safe", "unsafe", "none"


@dataclass(frozen=True)
class Case:
    no_rewrite: Optional[str]  # why this kind of request has no rewrite (None: it has one)
    expected_method: Optional[str]  # the method the rewrite assumes
    method: Fact
    service: Fact
    role: Fact
    followed: bool  # the request was followed to the client call that sends it
    filters: str  # SAFE, UNSAFE or NONE
    filters_reason: str
    readers: str
    readers_reason: str
    pages: str  # SAFE: no loop needed, or a proven one; UNSAFE: a loop not proven; NONE: needed, none fits
    pages_reason: str
    shared: Optional[str] = None  # a use of the URL the fix leaves alone
    doubles: Optional[str] = None  # a test double serving the same endpoint, left at v1
    edit_problem: Optional[str] = None  # the text cannot be edited in place


def decide(case: Case) -> Fact:
    """``Fact(SAFE|UNSAFE|NONE, reason)``: the contract above."""
    blocking = _blocking(case)
    if blocking is not None:
        return Fact(NONE, blocking)
    unsafe: List[str] = []
    if case.method.strength < STRONG:
        unsafe.append(f"the method is only inferred ({case.method.reason})")
    if not case.followed:
        unsafe.append("the call that finally sends the request was not followed")
    for safety, reason in ((case.filters, case.filters_reason), (case.readers, case.readers_reason),
                           (case.pages, case.pages_reason)):
        if safety == UNSAFE:
            unsafe.append(reason)
    if unsafe:
        return Fact(UNSAFE, "; ".join(dict.fromkeys(unsafe)))
    return Fact(SAFE, f"a client request, {case.method.value} to the image service: the method, service, filters, "
                      "readers and pages all have evidence")


def _blocking(case: Case) -> Optional[str]:
    if case.no_rewrite is not None:
        return case.no_rewrite
    if case.role.value != CLIENT:
        return _role_reason(case.role)
    if case.doubles is not None:
        return case.doubles
    if case.method.value is None:
        return "the HTTP method is unknown"
    if case.expected_method is not None and case.method.value != case.expected_method:
        return f"the rewrite is for {case.expected_method}, this sends {case.method.value}"
    if case.service.value not in IMAGE_SERVICES or case.service.strength < MEDIUM:
        return "no evidence that it goes to the image service"
    if case.shared is not None:
        return case.shared
    if case.edit_problem is not None:
        return case.edit_problem
    for safety, reason in ((case.filters, case.filters_reason), (case.readers, case.readers_reason),
                           (case.pages, case.pages_reason)):
        if safety == NONE:
            return reason
    return None


def _role_reason(role: Fact) -> str:
    from .record import DEFINITION, DOUBLE

    if role.value == DOUBLE:
        return "a test double: migrate it with the code it stands in for"
    if role.value == DEFINITION:
        return f"not a request ({role.reason})"
    return f"not a client request ({role.reason})"
