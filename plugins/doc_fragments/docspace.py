# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The connection options every docspace module shares, and its attributes."""

    DOCUMENTATION = r'''
options:
  base_url:
    description:
      - Address of the DocSpace portal, with its scheme, such as V(https://docspace.example.com). Surrounding
        whitespace is trimmed.
      - It may not carry a user name or password (V(https://user:password@host)), a query or a fragment, spaces or
        control characters; a port is a number from 1 to 65535, and an IPv6 address goes in brackets.
      - With V(http://) the credentials cross the network unencrypted, and the module warns, unless the host is a
        loopback address (V(127.0.0.0/8), V(::1) or V(localhost)), whose traffic never leaves the machine. A public
        read that sends no credential (O(onlyoffice.docspace.docspace_oauth_client_info#module:view=public)) never
        warns.
      - If not set, the value of the E(DOCSPACE_URL) environment variable is used.
      - "Required: set it in the task, in C(module_defaults) or in E(DOCSPACE_URL). Without it the task fails with
        C(missing required arguments: base_url). The argument spec does not mark it required, so that ansible-lint,
        which does not read C(module_defaults), accepts the tasks that take it from there."
    type: str
  api_key:
    description:
      - "A DocSpace API key (Developer Tools > API keys), sent as C(Authorization: Bearer <key>) to exchange it
        for the short-lived C(x-signature) token that the OAuth client endpoints require."
      - The key is never shown in output, diffs or error messages.
      - Surrounding whitespace (such as the line break that credential stores and env files add) is trimmed. The
        key then must be visible ASCII with no space inside, as an HTTP header carries it; other values are refused
        before any request, without quoting them.
      - Mutually exclusive with O(username) and O(password).
      - If not set, the value of the E(DOCSPACE_API_KEY) environment variable is used, unless the task (or
        C(module_defaults)) sets O(username) or O(password); options given to the task win over the environment.
    type: str
  username:
    description:
      - E-mail of a DocSpace account to log in with, when no O(api_key) is given. Surrounding whitespace is trimmed.
      - If not set, the value of the E(DOCSPACE_USERNAME) environment variable is used, unless the task (or
        C(module_defaults)) sets O(api_key).
    type: str
  password:
    description:
      - Password for O(username).
      - A line break at its end (CR or LF, as credential stores and env files add) is trimmed; any other control
        character is refused before any request, without quoting the value.
      - If not set, the value of the E(DOCSPACE_PASSWORD) environment variable is used, unless the task (or
        C(module_defaults)) sets O(api_key).
    type: str
  signature:
    description:
      - An C(x-signature) JWT obtained earlier in the play from C(GET /api/2.0/security/oauth2/token), to save the
        login and the token exchange that every task would otherwise make. Set it once through C(module_defaults);
        see the last example of P(onlyoffice.docspace.docspace_oauth_client#module) and the collection's
        Authentication guide.
      - While it is valid, the module sends no login and no token request. An x-signature lasts 5 minutes; with
        O(api_key), or O(username) and O(password), set too, the module gets a fresh one when it expires (or the
        server refuses it), else the task fails and says so.
      - The value is never shown in output, diffs or error messages, and no module returns it. Surrounding
        whitespace is trimmed, as for O(api_key).
      - If not set, the value of the E(DOCSPACE_SIGNATURE) environment variable is used.
    type: str
  validate_certs:
    description:
      - Whether to verify the portal's TLS certificate. Set O(ca_path) rather than turning this off.
      - If not set, the value of the E(DOCSPACE_VALIDATE_CERTS) environment variable is used.
    type: bool
    default: true
  ca_path:
    description:
      - A PEM file of the CA certificates that signed the portal certificate, for private CAs.
      - With O(validate_certs=true) it must be a readable regular file (not a folder); this is checked before any
        request.
      - If not set, the value of the E(DOCSPACE_CA_PATH) environment variable is used.
    type: path
  timeout:
    description:
      - Seconds to wait for each answer from DocSpace, a positive number up to 3600.
      - If not set, the value of the E(DOCSPACE_TIMEOUT) environment variable is used.
    type: float
    default: 30
  http_agent:
    description:
      - The User-Agent header sent to DocSpace. It may not hold control characters.
    type: str
    default: ansible-onlyoffice.docspace
  retries:
    description:
      - How many times a request is retried, with exponential backoff and jitter, after HTTP 429, 502, 503 or
        504 or a connection error. Each retry is reported as a warning.
      - From 0 to 10. The wait doubles up to 60 seconds a retry, so 10 retries already wait about 5 minutes.
      - A create whose outcome is unknown is looked up before it is sent again, so a client is never created
        twice; a secret rotation is retried only when the server surely refused it (HTTP 429).
      - If not set, the value of the E(DOCSPACE_RETRIES) environment variable is used.
    type: int
    default: 3
requirements:
  - requests >= 2.25.0
notes:
  - DocSpace limits each user to 10 creates a minute (HTTP 429). The modules wait and retry within O(retries).
'''

    ACTION_GROUP = r'''
attributes:
  action_group:
    description: Use C(group/onlyoffice.docspace.docspace) in C(module_defaults) to set the connection options once.
    support: full
    membership:
      - onlyoffice.docspace.docspace
'''

    # mode, owner and group of the file secret_path names (the other file options: ansible.builtin.files).
    SECRET_FILE = r'''
options:
  mode:
    description:
      - The permissions of the O(secret_path) file, octal (quoted, such as V('0640')) or symbolic (such as
        V(u=rw,g=r)), as for M(ansible.builtin.file).
      - Default V('0600'), for a new file and an existing one alike. Checked before any request.
      - Permission bits only, no setuid, setgid or sticky bit. An unquoted 600 in YAML is the decimal number 600
        (octal 1130, with the sticky bit), so it is refused with a hint to quote it as V('0600').
    type: raw
  owner:
    description:
      - The user that owns the O(secret_path) file. Without it, a file the module writes is the running user's,
        also when it replaces another user's file (that user is not handed the new secret).
      - Must exist on the host; only root may name another user. A number is a user id, 0 to 4294967294.
        Checked before any request.
    type: str
  group:
    description:
      - The group of the O(secret_path) file. Without it, a file the module writes has the running user's group.
      - Must exist on the host; a user that is not root may name only a group it is in. A number is a group id,
        0 to 4294967294. Checked before any request.
    type: str
'''
