# -*- coding: utf-8 -*-
# Copyright: (c) 2026, onlyoffice.docspace contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""live_config.py FILE: the integration targets' configuration for make test-live, from the environment.

LIVE_URL (the guard), LIVE_ADMIN_KEY, LIVE_USERNAME, LIVE_PASSWORD, LIVE_USER_KEY, LIVE_GUEST_KEY. Written as
JSON, which YAML reads as it is, so that no value is ever read as YAML (a '#', ': ' or a newline in a
password would otherwise cut it, or add a key such as docspace_url), and readable only by its owner.
"""
import json
import os
import sys

NAMES = (('docspace_url', 'LIVE_URL'), ('docspace_admin_api_key', 'LIVE_ADMIN_KEY'),
         ('docspace_admin_username', 'LIVE_USERNAME'), ('docspace_admin_password', 'LIVE_PASSWORD'),
         ('docspace_user_api_key', 'LIVE_USER_KEY'), ('docspace_guest_api_key', 'LIVE_GUEST_KEY'))


def main(path):
    config = dict((name, os.environ.get(var, '')) for name, var in NAMES)
    config['docspace_live'] = True
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, 'w') as handle:
        json.dump(config, handle)


if __name__ == '__main__':
    main(sys.argv[1])
