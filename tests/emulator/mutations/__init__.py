"""Template mutations CloudFormation refuses, and benign controls (cases.py)."""
