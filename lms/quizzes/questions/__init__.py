"""The typed quiz model, its stored JSON and the question-type registry (pure Python).

Loading from TOML (lms.quizzes.definitions) and from GIFT (lms.quizzes.gift) sit above it.
"""
