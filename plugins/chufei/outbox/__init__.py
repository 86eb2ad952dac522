"""Forms, packages and the report builders that write the outbox."""
