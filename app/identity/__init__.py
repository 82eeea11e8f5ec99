"""Identity, the registry's own domain: which printed names are one organization, and where it is.

Pure code (no database, no web): `text` (folding), `names` (match keys, display names, acronyms),
`regions` (gazetteer and inference), `sectors`, `similarity` (duplicate suggestions) and
`evidence` (what an import row says about an organization). Services call it; it calls nothing.
"""
