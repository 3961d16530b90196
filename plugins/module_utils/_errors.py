# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The transport's typed failures and the text of a failed answer.

Private to this collection: it may change in any release. Every message is built here
and scrubbed by the caller's Redactor before it leaves; a body is scrubbed before it is
shortened, so a cut never leaves half a credential.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

BODY_LIMIT = 200  # characters of a non-JSON error body shown in a message


class DocSpaceError(Exception):
    """A failure with a message that is safe to show."""

    def __init__(self, message, status=None):
        super(DocSpaceError, self).__init__(message)
        self.status = status

    created = None  # set False by a create that certainly created nothing (refused, or never sent)


class Refused(DocSpaceError):
    """The task stops by a rule of this collection (ambiguous names, a field fixed at creation, ...);
    ``result`` holds what goes into the failed result with the message (``changed`` among them)."""

    def __init__(self, message, **result):
        super(Refused, self).__init__(message)
        self.result = result


class NotFound(DocSpaceError):
    pass


class Forbidden(DocSpaceError):
    pass


class BadRequest(DocSpaceError):
    pass


class Unreachable(DocSpaceError):
    pass


class OutcomeUnknown(DocSpaceError):
    """A write was sent and no answer says whether the server applied it.

    ``slow`` when the server may still be working on it (a timeout, or a 504 from a proxy).
    """

    def __init__(self, message, status=None, slow=False):
        super(OutcomeUnknown, self).__init__(message, status)
        self.slow = slow


BY_STATUS = {400: BadRequest, 403: Forbidden, 404: NotFound}


def cause(exc, what):
    """The words of a failure after its 'Could not <what>: ' (a client name may itself hold ': ')."""
    text, head = str(exc), 'Could not %s: ' % what
    return text[len(head):] if text.startswith(head) else text


def _problem_parts(body, reason):
    """The words of a ProblemDetail, a DocSpace error envelope or a Bean Validation list."""
    parts = []
    for key in ('title', 'detail', 'reason'):
        if body.get(key) and body[key] not in parts and body[key] != reason:
            parts.append('%s' % body[key])
    if isinstance(body.get('error'), dict) and body['error'].get('message'):
        parts.append('%s' % body['error']['message'])
    errors = [e for e in body.get('errors') or [] if isinstance(e, dict)]
    if errors:
        fields = '(' + '; '.join('%s: %s' % (e.get('field'), e.get('message')) for e in errors) + ')'
        if parts:
            parts[-1] += ' ' + fields
        else:
            parts.append(fields)
    return parts


def describe(resp, what, redactor):
    """'Could not <what>: HTTP <status> <reason>: <title>: <detail> (<field>: <message>; ...)'."""
    head = 'Could not %s: HTTP %s %s' % (what, resp.status_code, resp.reason or '')
    try:
        body = resp.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        parts = _problem_parts(body, resp.reason)
    elif resp.content and 'html' in resp.headers.get('Content-Type', ''):
        parts = ['an HTML error page from a proxy in front of DocSpace']
    elif resp.content:
        parts = [redactor.scrub(resp.text, limit=BODY_LIMIT)]
    else:
        parts = []
    if resp.status_code == 403 and resp.content:
        parts.append('managing OAuth apps needs a DocSpace account with the admin or user role (a guest may only '
                     'list and revoke its own consents): set api_key, or username and password, to such an account')
    if resp.status_code == 403 and not resp.content:
        parts.append('the registration service refused the x-signature (is Developer Tools access limited '
                     'for this account?)')
    if resp.status_code == 401:
        parts.append('check api_key, or username and password')
    if resp.status_code == 429:
        parts.append('rate limited (DocSpace allows 10 creates a minute per user); raise retries or slow down')
    return redactor.scrub(head.rstrip() + (': ' + ': '.join(parts) if parts else ''))


def error_for(resp, what, redactor):
    """The typed failure for an error status."""
    return BY_STATUS.get(resp.status_code, DocSpaceError)(describe(resp, what, redactor), resp.status_code)
