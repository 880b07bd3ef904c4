"""Researchers' commands (serve, push): registered on the `policykg` group."""
