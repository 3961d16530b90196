# -*- coding: utf-8 -*-
"""secret_scan.py EMULATOR_URL INFO_JSON LOG...: count the secrets that leaked into logs.

Looks for the seeded API keys and passwords, and for anything shaped like an x-signature JWT, a login
token or a client secret whose SHA-256 the emulator says it handed out. A client secret is allowed in
one place only: the documented return value, "client_secret": "<secret>" in a task result. Prints
each leak with its context (the secret masked) and exits 1 when there is any.
"""
import hashlib
import json
import re
import sys
from urllib.request import urlopen

TOKEN_RE = re.compile(r'eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+|(?<![A-Za-z0-9_-])[A-Za-z0-9_-]{36,43}(?![A-Za-z0-9_-])')
ALLOWED = re.compile(r'"client_secret": "$')


def main(url, info_path, logs):
    issued = json.load(urlopen(url + '/__emulator__/issued'))
    info = json.load(open(info_path))
    literal = {}
    for role, user in info['users'].items():
        for what in ('api_key', 'password'):  # a live portal's run may give a key without a login
            if user.get(what):
                literal['%s %s' % (role, what)] = user[what]
    kinds = dict((h, kind) for kind, hashes in issued.items() for h in hashes)
    leaks, allowed, scanned = [], 0, 0
    for path in logs:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        scanned += len(text)
        for label, value in literal.items():
            for match in re.finditer(re.escape(value), text):
                leaks.append((path, label, text[max(0, match.start() - 60):match.start()]))
        for match in TOKEN_RE.finditer(text):
            kind = kinds.get(hashlib.sha256(match.group(0).encode()).hexdigest())
            if not kind:
                continue
            before = text[max(0, match.start() - 60):match.start()]
            if kind == 'client_secret' and ALLOWED.search(before):
                allowed += 1
                continue
            leaks.append((path, kind, before))
    print('secret scan: %d bytes in %d logs; %d leaks; %d documented client_secret returns; issued %s'
          % (scanned, len(logs), len(leaks), allowed, dict((k, len(v)) for k, v in issued.items())))
    for path, kind, before in leaks[:20]:
        for value in literal.values():
            before = before.replace(value, '***')
        print('  LEAK %s in %s after: %r' % (kind, path, TOKEN_RE.sub('***', before)))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3:]))
