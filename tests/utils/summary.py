# -*- coding: utf-8 -*-
"""Print the closing line of `make test`: every check that ran, as 'total: N passed, N failed'.

Reads the JUnit files the pytest runs wrote and the logs of ansible-test.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

reports = sys.argv[1]
passed = failed = 0
for path in sorted(glob.glob(os.path.join(reports, '*.xml'))):
    for suite in ET.parse(path).getroot().iter('testsuite'):
        total, bad = int(suite.get('tests', 0)), int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        skipped = int(suite.get('skipped', 0))
        passed += total - bad - skipped
        failed += bad
        print('%-28s %d passed, %d failed, %d skipped' % (os.path.basename(path), total - bad - skipped, bad, skipped))
for name, pattern in (('sanity.log', r'^Running sanity test'), ('integration.log', r'^Running .* integration test role'),
                      ('build.log', r'^Running installed-collection test')):
    path = os.path.join(reports, name)
    if os.path.exists(path):
        with open(path, encoding='utf-8', errors='replace') as handle:
            count = len([line for line in handle if re.search(pattern, line)])
            handle.seek(0)
            skipped = [line.strip() for line in handle if 'Required program' in line and 'not found' in line]
        if skipped:  # a sanity test that could not run is not a pass
            failed += len(set(skipped))
            print('%-28s skipped for want of a tool: %s' % (name, '; '.join(sorted(set(skipped)))))
        passed += count - len(set(skipped))
        print('%-28s %d passed' % (name, count - len(set(skipped))))
print('total: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
