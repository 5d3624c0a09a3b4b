#!/usr/bin/env python3
"""Renders `perf script` output (stacks, leaf first) as a flame graph SVG.

    perf script -i perf.data | swift demangle --simplified | bench/flamegraph.py "title" > out.svg

Each sample's stack is folded root first; a frame's width is its share of the samples that
pass through it. Frames are named by function (offsets and module paths dropped); hover a
frame for its full name, sample count and share.
"""
import html
import re
import sys
from collections import defaultdict

ROW = 17
WIDTH = 1600
MIN_WIDTH = 0.5  # pixels: narrower frames are left out


def frames_of(block):
    names = []
    for line in block[1:]:
        line = line.strip()
        if not line:
            continue
        # "addr symbol+0xoff (module)" -> "symbol"
        parts = line.split(" ", 1)
        text = parts[1] if len(parts) > 1 else parts[0]
        text = re.sub(r"\s+\([^()]*\)$", "", text)
        text = re.sub(r"\+0x[0-9a-f]+$", "", text)
        names.append(text or "[unknown]")
    return list(reversed(names))


def fold(lines):
    counts = defaultdict(int)
    block = []
    for line in lines + [""]:
        if line.strip() == "":
            if block:
                stack = frames_of(block)
                if stack:
                    counts[tuple([block[0].split()[0]] + stack)] += 1
                block = []
        else:
            block.append(line.rstrip("\n"))
    return counts


def tree(counts):
    root = {"name": "all", "count": 0, "children": {}}
    for stack, count in counts.items():
        root["count"] += count
        node = root
        for name in stack:
            node = node["children"].setdefault(name, {"name": name, "count": 0, "children": {}})
            node["count"] += count
    return root


def colour(name):
    seed = sum(ord(c) for c in name)
    if "Outrigger" in name or "Publisher" in name or "Pipeline" in name or "CloudEvent" in name:
        return f"rgb(80,{140 + seed % 80},{200 + seed % 50})"
    return f"rgb({205 + seed % 50},{100 + seed % 110},{40 + seed % 40})"


def render(root, title):
    total = max(root["count"], 1)
    rects = []
    depth_max = 0

    def walk(node, x, depth):
        nonlocal depth_max
        width = node["count"] / total * WIDTH
        if width < MIN_WIDTH:
            return
        depth_max = max(depth_max, depth)
        rects.append((x, depth, width, node))
        child_x = x
        for child in sorted(node["children"].values(), key=lambda c: c["name"]):
            walk(child, child_x, depth + 1)
            child_x += child["count"] / total * WIDTH

    walk(root, 0.0, 0)
    height = (depth_max + 1) * ROW + 40
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" font-family="monospace" font-size="11">',
           f'<text x="4" y="16" font-size="14">{html.escape(title)} ({total} samples)</text>']
    for x, depth, width, node in rects:
        y = height - (depth + 1) * ROW
        name = node["name"]
        share = node["count"] / total * 100
        label = name if len(name) * 6.6 < width - 4 else name[: max(0, int((width - 4) / 6.6) - 2)] + ".." if width > 24 else ""
        out.append(f'<g><title>{html.escape(name)}: {node["count"]} samples, {share:.1f} %</title>'
                   f'<rect x="{x:.1f}" y="{y}" width="{width:.1f}" height="{ROW - 1}" fill="{colour(name)}"/>'
                   f'<text x="{x + 3:.1f}" y="{y + 12}">{html.escape(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out)


if __name__ == "__main__":
    title = sys.argv[1] if len(sys.argv) > 1 else "flame graph"
    print(render(tree(fold(sys.stdin.read().split("\n"))), title))
