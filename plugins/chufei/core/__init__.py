"""Settings, periods, units, normalising and masking: what every layer stands on."""
