"""The standing fault suite: hostile feeds, answers, links and files against a real pull."""
