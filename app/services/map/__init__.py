"""Map services: base maps (read, keep, remove) and the offline address search."""
