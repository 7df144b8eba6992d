"""Training the matcher from the public SDN benchmark (needs the [train] extra)."""
