"""Build the policykg graph from the bundled corpus: `python build_graph.py [--corpus DIR] [--out DIR]`."""

from policykg.cli import build

if __name__ == "__main__":
    build()
