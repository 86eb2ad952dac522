"""Reading workbooks and exports into rows."""
