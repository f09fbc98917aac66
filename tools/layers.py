#!/usr/bin/env python3
# layers.py — reads the #include lines under src/ and prints which folders
# each folder depends on, then any cycle between folders or between headers;
# exits 1 when there is one. Run from the project root (make test runs it).
import re, glob, os, collections
inc = re.compile(r'#include "([^"]+)"')
dep = collections.defaultdict(set)
hdr = collections.defaultdict(set)
for p in glob.glob('src/**/*.[ch]', recursive=True):
    mod = p.split('/')[1] if p.count('/')>1 else 'main'
    for m in inc.finditer(open(p).read()):
        t = m.group(1)
        if '/' in t:
            tm = t.split('/')[0]
            if tm != mod: dep[mod].add(tm)
            if p.endswith('.h'): hdr[p[4:]].add(t)
for k in sorted(dep): print(k, '->', sorted(dep[k]))
# cycles among folders
def cyc(g):
    out=[]; 
    def dfs(n, path, seen):
        for m in g.get(n, ()):
            if m in path: out.append(path[path.index(m):]+[m]); continue
            if m in seen: continue
            seen.add(m); dfs(m, path+[m], seen)
    for n in list(g): dfs(n,[n],set())
    return out
cs = cyc(dep)
print('folder cycles:', len(cs)); 
for c in sorted(set(tuple(c) for c in cs))[:30]: print(' ', ' -> '.join(c))
hc = cyc(hdr)
print('header cycles:', hc[:5])
raise SystemExit(1 if cs or hc else 0)
