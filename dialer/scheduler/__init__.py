"""The campaign scheduler: one active leader that paces every running campaign each tick."""
