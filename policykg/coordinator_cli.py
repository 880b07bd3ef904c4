"""Coordinators' commands (who-leads, agency, targets, export): registered on the `policykg` group."""
