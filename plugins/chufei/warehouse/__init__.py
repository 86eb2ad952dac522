"""The warehouse: schema, engine, loaders and monthly facts."""
