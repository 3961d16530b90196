# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The connection to one portal: the requests session, TLS, and the redirect policy.

Private to this collection: it may change in any release. One request goes out, one
answer or one classified interruption comes back; nothing here retries or authenticates.
Redirects are never followed: the x-signature is a custom header that requests would
carry to any host, so an answer that points elsewhere is a failure naming where it points.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import copy
import traceback

try:
    from urllib.parse import urljoin, urlsplit
except ImportError:  # pragma: no cover
    from urlparse import urljoin, urlsplit  # type: ignore

try:
    import requests
    from requests.exceptions import ChunkedEncodingError, ConnectTimeout, ContentDecodingError, RequestException
    from requests.exceptions import ConnectionError as RequestsConnectionError
    from requests.exceptions import SSLError, Timeout
    HAS_REQUESTS = True
    REQUESTS_IMPORT_ERROR = None
except ImportError:
    HAS_REQUESTS = False
    REQUESTS_IMPORT_ERROR = traceback.format_exc()

from ansible_collections.onlyoffice.docspace.plugins.module_utils._errors import DocSpaceError, Unreachable


class Interrupted(Exception):
    """No usable answer. ``not_sent``: the server surely never saw the request (safe to send
    again, even a create); ``slow``: it may still be working on it."""

    def __init__(self, reason, not_sent=False, slow=False, advice='Check base_url, the network and the proxy settings.'):
        super(Interrupted, self).__init__(reason)
        self.reason = reason
        self.not_sent = not_sent
        self.slow = slow
        self.advice = advice


def origin(url):
    """scheme://host[:port] of a URL, without any user info it may carry."""
    parts = urlsplit(url)
    host = parts.hostname or ''
    if ':' in host:
        host = '[%s]' % host
    try:
        port = parts.port
    except ValueError:
        port = None
    return '%s://%s%s' % (parts.scheme, host, ':%d' % port if port else '')


def proxy_for(url):
    """The proxy the environment (HTTP_PROXY, NO_PROXY...) sends ``url`` through, or None."""
    proxies = requests.utils.get_environ_proxies(url)
    return proxies.get(urlsplit(url).scheme) or proxies.get('all')


def _refused(exc):
    text = repr(exc)
    return 'NewConnectionError' in text or 'Connection refused' in text or 'Name or service not known' in text


class Connection(object):
    """A session bound to ``base_url``'s origin."""

    def __init__(self, base_url, validate_certs=True, ca_path=None, timeout=30, http_agent=None, redactor=None):
        self.base_url = base_url.rstrip('/')
        self.origin = origin(self.base_url)
        self.timeout = timeout
        self.redactor = redactor
        self.session = requests.Session()
        # Passed with every request: requests lets REQUESTS_CA_BUNDLE override a session-wide verify.
        self.verify = (ca_path or True) if validate_certs else False
        if not validate_certs:  # the module warns once, in words; urllib3 would warn at every request
            requests.packages.urllib3.disable_warnings(requests.packages.urllib3.exceptions.InsecureRequestWarning)
        self.session.headers['User-Agent'] = http_agent or 'ansible-onlyoffice.docspace'
        self.session.headers['Accept'] = 'application/json'

    def fork(self):
        """The same connection with a session of its own, for a concurrent worker."""
        twin = copy.copy(self)
        twin.session = requests.Session()
        twin.session.headers.update(self.session.headers)
        return twin

    def request(self, method, path, what, headers=None, json_body=None, params=None):
        """The answer of one request; raises Interrupted, Unreachable or DocSpaceError."""
        url = self.base_url + path
        try:
            resp = self.session.request(method, url, json=json_body, params=params, headers=headers,
                                        timeout=self.timeout, verify=self.verify, allow_redirects=False)
        except SSLError as exc:
            raise Unreachable(self.redactor.scrub(
                'Could not %s: TLS verification of %s failed (%s). Set ca_path to the CA bundle that signed the '
                'portal certificate, or validate_certs: false for a test portal.' % (what, self.origin, exc)))
        except ConnectTimeout:
            raise Interrupted('connecting timed out after %ss' % self.timeout, not_sent=True)
        except Timeout:
            raise Interrupted('timed out after %ss' % self.timeout, slow=True)
        except (ChunkedEncodingError, ContentDecodingError):
            raise Interrupted('the answer was cut off')
        except RequestsConnectionError as exc:
            raise Interrupted('connection failed', not_sent=_refused(exc))
        except RequestException as exc:
            # A request requests refuses to build (a bad URL or header): nothing was sent.
            raise DocSpaceError(self.redactor.scrub('Could not %s: the request could not be sent (%s: %s).'
                                                    % (what, type(exc).__name__, exc), limit=400))
        if 300 <= resp.status_code < 400:
            raise DocSpaceError(self._redirect_message(resp, url, what), resp.status_code)
        return resp

    def _redirect_message(self, resp, url, what):
        location = resp.headers.get('Location')
        head = 'Could not %s: HTTP %s, a redirect' % (what, resp.status_code)
        if not location:
            return head + ' without a Location. Check that base_url is the portal address.'
        target = origin(urljoin(url, location))
        if target == self.origin:
            return self.redactor.scrub(
                head + ' to %s on the portal itself (a login page or a proxy rule?); the API does not redirect. '
                'Check that base_url is the portal root.' % urlsplit(urljoin(url, location)).path, limit=400)
        return self.redactor.scrub(
            head + ' to another origin, %s. Credentials are only ever sent to base_url\'s origin (%s), so the '
            'redirect is not followed; if the portal has moved, set base_url to %s.' % (target, self.origin, target))
