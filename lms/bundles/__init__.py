"""Training bundles: move one training with everything it owns between installations (laptop ↔ server).

`kinds` says which rows travel and how they are matched, `codec` turns rows into JSON and back,
`archive` writes and checks the ZIP, `exporting` and `importing` are the two use cases.
"""
