"""Optional integrations of connex_bridge with shop frameworks."""
