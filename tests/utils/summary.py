# -*- coding: utf-8 -*-
"""Print the closing line of `make test`: every check that ran, as 'total: N passed, N failed'.

Counts the tests of the pytest runs (their JUnit files), each ansible-test sanity test and
integration target (their logs), and each other gate that ran (times.txt). A sanity test that
ansible-test skipped for want of a tool or an interpreter counts as failed.
"""
import glob
import os
import re
import sys
import xml.etree.ElementTree as ET

GATES_WITHOUT_TESTS = ('secrets', 'test-build', 'lint', 'docs-lint', 'docs', 'changelog-lint', 'importer', 'molecule')
# make test-matrix: the same gates on another ansible-core, named <gate>-<core>.
MATRIX_GATES = re.compile(r'(demo|lint)-\d+\.\d+\Z')

reports = sys.argv[1]
passed = failed = 0
for path in sorted(glob.glob(os.path.join(reports, '*.xml'))):
    for suite in ET.parse(path).getroot().iter('testsuite'):
        total, bad = int(suite.get('tests', 0)), int(suite.get('failures', 0)) + int(suite.get('errors', 0))
        skipped = int(suite.get('skipped', 0))
        passed += total - bad - skipped
        failed += bad + skipped
        print('%-30s %d passed, %d failed, %d skipped' % (os.path.basename(path), total - bad - skipped, bad, skipped))
for path in sorted(glob.glob(os.path.join(reports, 'sanity-*.log')) + glob.glob(os.path.join(reports, 'integration*.log'))):
    with open(path, encoding='utf-8', errors='replace') as handle:
        text = handle.read()
    ran = len(re.findall(r'^Running (sanity test|\S+ integration test role)', text, re.M))
    skipped = set(re.findall(r'^WARNING: (Skipping sanity test.*|Required program.*not found.*)$', text, re.M))
    passed += ran
    failed += len(skipped)
    print('%-30s %d passed%s' % (os.path.basename(path), ran, ''.join('\n  SKIPPED ' + s for s in sorted(skipped))))
times = os.path.join(reports, 'times.txt')
if os.path.exists(times):
    with open(times) as handle:
        gates = [line.split()[0] for line in handle
                 if line.split() and (line.split()[0] in GATES_WITHOUT_TESTS or MATRIX_GATES.match(line.split()[0]))]
    passed += len(gates)
    print('%-30s %d passed (%s)' % ('other gates', len(gates), ', '.join(gates)))
print('total: %d passed, %d failed' % (passed, failed))
sys.exit(1 if failed else 0)
