"""Evaluation questionnaires (evaluasi penyelenggaraan, evaluasi narasumber), anonymous answers."""
