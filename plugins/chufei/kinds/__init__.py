"""The submission kinds: columns, rules, templates, who owes them and when."""
