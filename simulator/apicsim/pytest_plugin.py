"""pytest fixtures that start the simulator in-process (filled in by the simulator work)."""
