# -*- coding: utf-8 -*-
"""check_links.py HTML_DIR: every relative link and anchor of every page must resolve.

External links cannot be reached from the build machines; they are listed, not fetched.
"""
import os
import sys
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit


class Page(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self.ids = [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if attrs.get('id'):
            self.ids.add(attrs['id'])
        if tag == 'a' and attrs.get('name'):
            self.ids.add(attrs['name'])
        for key in ('href', 'src'):
            if attrs.get(key):
                self.links.append(attrs[key])


def main(root):
    pages = {}
    for folder, _dirs, files in os.walk(root):
        for name in files:
            if name.endswith('.html'):
                path = os.path.join(folder, name)
                page = Page()
                with open(path, encoding='utf-8') as handle:
                    page.feed(handle.read())
                pages[os.path.normpath(path)] = page
    broken, external, checked = [], set(), 0
    for path, page in sorted(pages.items()):
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in ('http', 'https', 'mailto'):
                external.add(link)
                continue
            if parts.scheme or link.startswith('javascript:'):
                continue
            checked += 1
            if parts.path.startswith('/'):  # site-absolute: the docsite is served from its root
                target = os.path.normpath(os.path.join(root, unquote(parts.path).lstrip('/')))
            elif parts.path:
                target = os.path.normpath(os.path.join(os.path.dirname(path), unquote(parts.path)))
            else:
                target = path
            if os.path.isdir(target):
                target = os.path.join(target, 'index.html')
            if not os.path.exists(target):
                broken.append('%s: %s (no such file)' % (os.path.relpath(path, root), link))
            elif parts.fragment and target in pages and unquote(parts.fragment) not in pages[target].ids:
                broken.append('%s: %s (no such anchor)' % (os.path.relpath(path, root), link))
    print('links: %d pages, %d internal links checked, %d broken; %d external links not fetched (no network)'
          % (len(pages), checked, len(broken), len(external)))
    for line in broken:
        print('  BROKEN ' + line)
    return 1 if broken or not pages else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1]))
